// The same readings sent as JSON telemetry and as a Sparkplug B stream (encoded by Eclipse Tahu, with
// births, aliases, alias-only DDATA and a seq that wraps) become the same readings in faultline, and so
// the same predictions from a serving model.
import { get } from 'sparkplug-payload';
import type { UMetric } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { describe, expect, it } from 'vitest';
import { parseTelemetry, type Limits } from '../../../src/ingest/parse.js';
import { FeatureStream } from '../../../src/learn/feature-stream.js';
import { mergeByTime } from '../../../src/learn/merge.js';
import { predictAt, servingModelOf, type Prediction, type ServingModel } from '../../../src/learn/model.js';
import type { SensorSeries } from '../../../src/learn/types.js';
import { seriesOf as seriesOfPoints, type Point } from '../../helpers/series.js';
import { SparkplugDecoder } from '../../../src/sparkplug/decoder.js';

const tahu = get('spBv1.0')!;
const T0 = 1_764_320_000_000;
const LIMITS: Limits = { maxPayload: 65_536, maxFields: 256, latestTs: T0 + 10 * 86_400_000, earliestTs: T0 - 86_400_000 };
const ASSETS = ['press3', 'press4'];
const SENSORS = [
  { name: 'temperature', alias: 11, type: 'Double' as const },
  { name: 'vibration', alias: 12, type: 'Double' as const },
  { name: 'cycles', alias: 13, type: 'Int32' as const },
];
const STEPS = 200; // 2 assets x 200 messages: the node's seq wraps past 255

interface Row {
  asset: string;
  line: string;
  sensor: string;
  ts: number;
  value: number;
}

function sample(asset: string, step: number): Record<string, number> {
  const drift = asset === 'press3' ? 1 : -1;
  return {
    temperature: Math.round((70 + drift * step * 0.05 + Math.sin(step / 7)) * 1000) / 1000,
    vibration: Math.round((0.03 + step * 0.0001 * (1 + drift)) * 1e6) / 1e6,
    cycles: step * 3 + (asset === 'press3' ? 0 : 1),
  };
}

/** A fixed serving model over all three sensors (coefficients by hand: the point is the input path), stored as earlier releases did. */
const MODEL: ServingModel = servingModelOf({
  version: '1',
  trainedAt: T0,
  horizonS: 7200,
  spec: { windowMs: 60_000, maxGapMs: 30_000, requireFullWindow: true },
  rmse: null,
  ridge: {
    featureNames: ['temperature_mean', 'temperature_slope', 'vibration_max', 'cycles_last'],
    mean: [70, 0, 0.05, 300],
    std: [5, 0.1, 0.02, 200],
    coefStd: [-500, -200, -400, -200],
    coef: [-100, -2000, -20_000, -1],
    intercept: 11_900, // 3600 - sum(coef * mean)
    interceptStd: 3600,
    lambda: 1,
    nTrain: 1000,
    solver: 'cholesky',
  },
});

function seriesOf(rows: Row[], asset: string): SensorSeries {
  const points = new Map<string, Point[]>();
  for (const r of sortRows(rows).filter((row) => row.asset === asset)) {
    const list = points.get(r.sensor) ?? [];
    list.push({ ts: r.ts, value: r.value });
    points.set(r.sensor, list);
  }
  return new Map([...points].map(([sensor, list]) => [sensor, seriesOfPoints(list)]));
}

function predictions(rows: Row[]): Prediction[] {
  const out: Prediction[] = [];
  for (const asset of ASSETS) {
    const stream = new FeatureStream(MODEL.recipe);
    for (const [ts, readings] of mergeByTime(seriesOf(rows, asset))) {
      stream.push(ts, readings);
      const step = (ts - T0) / 1000;
      if (step < 60 || step % 10 !== 0) continue;
      const result = predictAt(MODEL, stream, ts, 3);
      if ('missing' in result) throw new Error(`missing features ${result.missing.join(', ')}`);
      out.push(result.prediction);
    }
  }
  return out;
}

const sortRows = (rows: Row[]): Row[] =>
  [...rows].sort((a, b) => a.asset.localeCompare(b.asset) || a.ts - b.ts || a.sensor.localeCompare(b.sensor));

describe('Sparkplug and JSON telemetry', () => {
  it('yield the same readings, and so the same predictions, for the same measurements', () => {
    const json: Row[] = [];
    for (let step = 0; step < STEPS; step++) {
      for (const asset of ASSETS) {
        const ts = T0 + step * 1000;
        const payload = Buffer.from(JSON.stringify({ ts, ...sample(asset, step) }));
        const parsed = parseTelemetry(payload, { line: 'line1', asset }, { format: 'json', timestamp: 'ts', fields: null }, ts + 5, LIMITS);
        if (!('readings' in parsed)) throw new Error(`JSON rejected: ${parsed.reason}`);
        json.push(...parsed.readings.map((r) => ({ asset, line: 'line1', ...r })));
      }
    }

    const decoder = new SparkplugDecoder();
    const sparkplug: Row[] = [];
    let seq = 0;
    const feed = (topic: string, metrics: UMetric[], ts: number): void => {
      const payload = Buffer.from(tahu.encodePayload({ timestamp: ts + 1, seq, metrics }));
      seq = (seq + 1) % 256;
      const result = decoder.decode(topic, payload, ts + 5, LIMITS);
      if (result.kind === 'rejected') throw new Error(`Sparkplug rejected: ${result.rejection.reason} ${result.rejection.detail}`);
      if (result.kind === 'readings') sparkplug.push(...result.readings);
      expect(result).not.toHaveProperty('rebirth');
    };
    feed('spBv1.0/line1/NBIRTH/gw1', [{ name: 'bdSeq', type: 'Int64', value: 0, timestamp: T0 }, { name: 'Node Control/Rebirth', type: 'Boolean', value: false, timestamp: T0 }], T0);
    for (const asset of ASSETS) {
      const values = sample(asset, 0);
      feed(
        `spBv1.0/line1/DBIRTH/gw1/${asset}`,
        SENSORS.map((s) => ({ name: s.name, alias: s.alias, type: s.type, value: values[s.name]!, timestamp: T0 })),
        T0,
      );
    }
    for (let step = 1; step < STEPS; step++) {
      for (const asset of ASSETS) {
        const ts = T0 + step * 1000;
        const values = sample(asset, step);
        // After the birth, DATA carries aliases only [tck-id-payloads-alias-data-cmd-requirement]
        feed(`spBv1.0/line1/DDATA/gw1/${asset}`, SENSORS.map((s) => ({ alias: s.alias, type: s.type, value: values[s.name]!, timestamp: ts })), ts);
      }
    }

    expect(json).toHaveLength(STEPS * ASSETS.length * SENSORS.length);
    expect(sortRows(sparkplug)).toEqual(sortRows(json));
    expect(decoder.counters).toEqual({ seqGaps: 0, rebirthRequests: 0 });
    const fromJson = predictions(json);
    expect(fromJson).toHaveLength(2 * 14);
    expect(new Set(fromJson.map((p) => p.risk)).size).toBeGreaterThan(10); // the predictions do vary
    expect(predictions(sparkplug)).toEqual(fromJson);
  });
});
