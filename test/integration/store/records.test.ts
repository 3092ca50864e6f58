// The prediction history and the track record on a real SQLite buffer: written a transaction at a
// time, read back as the page and `faultline status` show them, and pruned with the readings.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import type { FaultRecord, TrackEvent } from '../../../src/predict/track-record.js';
import { openDatabase } from '../../../src/store/db.js';
import { BatchWriter, type ReadingRow } from '../../../src/store/ingest-batch.js';
import { PredictionHistory } from '../../../src/store/prediction-history.js';
import { RecordWriter } from '../../../src/store/record-writer.js';
import { Retention } from '../../../src/store/retention.js';
import { MAX_ROWS, readTrackRecord } from '../../../src/store/track-record.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';

const MIN = 60_000;
const T0 = 100 * 86_400_000;

async function buffer(assets: string[], from: number, minutes: number) {
  const dir = await tempDir('records');
  const db = openDatabase(join(dir, 'faultline.db'), { sync: 'normal' });
  onCleanup(() => {
    db.close();
  });
  const readings: ReadingRow[] = assets.flatMap((asset) => Array.from({ length: minutes }, (_, m) => ({ asset, line: 'line1', sensor: 'temperature', ts: from + m * MIN, value: 60 })));
  new BatchWriter(db, 100).writeBatch({ readings, faults: [{ asset: assets[0]!, line: 'line1', ts: from + 30 * MIN, fields: {} }], deadLetters: [] });
  return db;
}

function fault(asset: string, ts: number, warningLeadS: number | null, maeS: number, predictions: number, modelVersion = '2'): FaultRecord {
  return { kind: 'fault', asset, line: 'line1', modelVersion, ts, horizonS: 7200, warningLeadS, alarmLeadS: null, predictions, maeS, rmseS: maeS, biasS: 0, coverageS: 7200 };
}

describe('prediction history and track record in the buffer', () => {
  it('stores them in one transaction a flush, reads them back per asset, and sums the track record', async () => {
    const db = await buffer(['press1', 'press2'], T0, 60);
    const writer = new RecordWriter(db, createLogger('fatal'));
    for (let m = 0; m < 60; m++) writer.addPoint({ asset: 'press1', ts: T0 + m * MIN, risk: m / 60, timeToFaultS: 7200 - m * 120, level: m >= 48 ? 2 : m >= 30 ? 1 : 0, modelVersion: '2' });
    const events: TrackEvent[] = [
      fault('press1', T0 + 30 * MIN, 1800, 100, 10),
      fault('press1', T0 + 50 * MIN, null, 400, 30),
      fault('press2', T0 + 40 * MIN, 600, 200, 20, '1'),
      { kind: 'false_alarm', asset: 'press2', line: 'line1', modelVersion: '1', ts: T0 + 10 * MIN, horizonS: 7200 },
    ];
    writer.addEvents(events);
    // A fault redelivered by the broker is one fault.
    writer.addEvents([events[0]!]);
    writer.flush();

    const history = new PredictionHistory(db).recent('press1', 24 * 3600_000);
    expect(history.ts).toHaveLength(60);
    expect(history.level.slice(28, 32)).toEqual([0, 0, 1, 1]);
    expect(history.faults).toEqual([T0 + 30 * MIN]);
    expect(new PredictionHistory(db).latest()).toEqual([{ asset: 'press1', line: 'line1', ts: T0 + 59 * MIN, risk: 59 / 60, timeToFaultS: 7200 - 59 * 120, level: 2, modelVersion: '2' }]);

    const track = readTrackRecord(db);
    expect(track).toMatchObject({ faults: 3, missed: 1, missed_alarm: 3, false_alarms: 1, mean_warning_lead_s: 1200, mean_alarm_lead_s: null });
    // The MAE over all judged predictions: (10·100 + 30·400 + 20·200) / 60.
    expect(track.mae_s).toBeCloseTo((10 * 100 + 30 * 400 + 20 * 200) / 60, 9);
    expect(track.by_asset.map((g) => [g.asset, g.model_version, g.faults, g.missed, g.false_alarms])).toEqual([
      ['press1', '2', 2, 1, 0],
      ['press2', '1', 1, 0, 1],
    ]);
    expect(track.recent.map((r) => [r.asset, r.kind, r.ts])).toEqual([
      ['press1', 'fault', T0 + 50 * MIN],
      ['press2', 'fault', T0 + 40 * MIN],
      ['press1', 'fault', T0 + 30 * MIN],
      ['press2', 'false_alarm', T0 + 10 * MIN],
    ]);
  });

  it('keeps at most MAX_ROWS track record rows, the latest', async () => {
    const db = await buffer(['press1'], T0, 1);
    const writer = new RecordWriter(db, createLogger('fatal'));
    writer.addEvents(Array.from({ length: MAX_ROWS + 5 }, (_, i) => fault('press1', T0 + i, 60, 1, 1)));
    writer.flush();
    const rows = db.prepare('SELECT count(*) AS n, min(ts) AS oldest FROM track_record').get() as { n: number; oldest: number };
    expect(rows).toEqual({ n: MAX_ROWS, oldest: T0 + 5 });
  });

  it('goes out with the readings: by age, and the history once older than the oldest reading left', async () => {
    const db = await buffer(['press1'], T0, 60);
    const writer = new RecordWriter(db, createLogger('fatal'));
    for (let m = 0; m < 60; m++) writer.addPoint({ asset: 'press1', ts: T0 + m * MIN, risk: 0, timeToFaultS: 7200, level: 0, modelVersion: '2' });
    writer.addEvents([fault('press1', T0 + 5 * MIN, 60, 1, 1), fault('press1', T0 + 45 * MIN, 60, 1, 1)]);
    writer.flush();
    const retention = new Retention(db);
    // Readings, history and track record older than minute 20 are past the retention.
    const now = T0 + 20 * MIN + 3600_000;
    while (retention.step(now, { retentionMs: 3600_000, maxBytes: 1e12 }).why !== null);
    const left = (table: string) => db.prepare(`SELECT count(*) AS n, min(ts) AS oldest FROM ${table}`).get() as { n: number; oldest: number };
    expect(left('readings')).toEqual({ n: 40, oldest: T0 + 20 * MIN });
    expect(left('prediction_history')).toEqual({ n: 40, oldest: T0 + 20 * MIN });
    expect(left('track_record')).toEqual({ n: 1, oldest: T0 + 45 * MIN });

    // Trimmed by size, readings older than minute 30 went: the history before them goes too, the track record stays.
    db.prepare('DELETE FROM readings WHERE ts < ?').run(T0 + 30 * MIN);
    db.prepare('UPDATE series SET first_ts = ?').run(T0 + 30 * MIN);
    while (retention.step(now, { retentionMs: 3600_000, maxBytes: 1e12 }).why !== null);
    expect(left('prediction_history')).toEqual({ n: 30, oldest: T0 + 30 * MIN });
    expect(left('track_record').n).toBe(1);
  });
});
