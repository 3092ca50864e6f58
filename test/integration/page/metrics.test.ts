// /metrics of a live agent (issue 16): per-asset risk, time to fault and level with asset names from
// hostile topics escaped, faultline_build_info, the serving model's version, the track record's
// series, process and runtime metrics under their standard names, nothing before it has a value;
// `promtool check metrics` finds nothing; and every metric the Grafana dashboard queries is served.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageVersion } from '../../../src/cli/version.js';
import { startBroker } from '../../../src/demo/broker.js';
import { REPO, startAgent } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { freePort } from '../../helpers/ports.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { PROMTOOL, describeWithTool } from '../../helpers/tools.js';
import { waitUntil } from '../../helpers/wait.js';
import { ingestConfig } from '../ingest/agent.js';
import { MINUTE, publishReadings, riskAt, startPageAgent, type PageAgent } from './line.js';

/** Asset names as topics may carry them: quotes, backslashes and markup must come out escaped. */
const ASSETS: Record<string, number> = { press1: 70, 'weird"asset\\name': 80, '<img src=x onerror=alert(1)>': 65 };

interface Exposition {
  text: string;
  /** Sample lines by series (name and labels as written). */
  samples: Map<string, number>;
  /** Metric families by name, with their TYPE. */
  types: Map<string, string>;
}

function parse(text: string): Exposition {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    // Label values may hold escaped quotes and backslashes: "(\\.|[^"\\])*".
    const sample = /^([a-zA-Z_:][\w:]*(?:\{(?:[a-zA-Z_]\w*="(?:\\.|[^"\\])*",?)*\})?) (\S+)$/.exec(line);
    if (sample) samples.set(sample[1]!, Number(sample[2]));
    else if (line !== '' && !line.startsWith('#')) throw new Error(`not a Prometheus sample line: ${line}`);
  }
  return { text, samples, types };
}

async function scrape(base: string): Promise<Exposition> {
  return parse(await (await fetch(`${base}/metrics`)).text());
}

/** Ten minutes of each asset at its temperature: the hand model's window is full at the tenth reading. */
async function publishLine(running: PageAgent, start: number): Promise<void> {
  const readings = Object.entries(ASSETS).flatMap(([asset, temperature]) => Array.from({ length: 12 }, (_, m) => ({ asset, ts: start + m * MINUTE, temperature })));
  await publishReadings(running.client, readings);
}

const escapeLabel = (value: string): string => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');

describe('/metrics of a live agent', () => {
  let running: PageAgent;
  let exposition: Exposition;

  it('serves per-asset gauges, escaped; build info; the model version; process metrics by their standard names', { timeout: 30_000 }, async () => {
    running = await startPageAgent();
    await publishLine(running, Date.now() - 20 * MINUTE);
    // One rejected message, so that the rejection counter has a series too.
    await running.client.publishAsync('plant/line1/press1/telemetry', 'not json', { qos: 1 });
    exposition = await waitUntil(
      async () => {
        const e = await scrape(running.base);
        const levels = [...e.samples.keys()].filter((k) => k.startsWith('faultline_asset_level{'));
        return levels.length === Object.keys(ASSETS).length && e.samples.has('faultline_readings_rejected_total{reason="not_json"}') ? e : null;
      },
      15_000,
      'every asset has its gauges, and the rejection is counted',
    );
    for (const [asset, temperature] of Object.entries(ASSETS)) {
      const labels = `{asset="${escapeLabel(asset)}",line="line1"}`;
      expect(exposition.samples.get(`faultline_asset_risk${labels}`), asset).toBeCloseTo(riskAt(temperature), 9);
      expect(exposition.samples.get(`faultline_asset_time_to_fault_seconds${labels}`), asset).toBeCloseTo(7200 * (1 - riskAt(temperature)), 6);
      expect(exposition.samples.get(`faultline_asset_level${labels}`), asset).toBe(riskAt(temperature) >= 0.8 ? 2 : riskAt(temperature) >= 0.5 ? 1 : 0);
    }
    expect(exposition.text).toContain('faultline_asset_risk{asset="weird\\"asset\\\\name",line="line1"} 0.8');
    expect(exposition.types.get('faultline_asset_risk')).toBe('gauge');
    expect(exposition.samples.get(`faultline_build_info{version="${packageVersion()}"}`)).toBe(1);
    expect(exposition.samples.get('faultline_model_version')).toBe(Number(running.version));
    expect(exposition.samples.get('faultline_model_rmse_seconds')).toBe(123.4);
    // The track record's series exist from the start, at zero.
    expect(exposition.samples.get('faultline_faults_missed_total{level="warning"}')).toBe(0);
    expect(exposition.samples.get('faultline_false_alarms_total')).toBe(0);
    expect(exposition.samples.get('faultline_fault_lead_time_seconds_count{level="alarm"}')).toBe(0);
    expect(exposition.types.get('faultline_fault_lead_time_seconds')).toBe('histogram');
    // Process and runtime metrics by the names every Node.js exporter uses; none of them named like a counter unless it is one.
    expect(exposition.samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(exposition.types.get('nodejs_active_handles')).toBe('gauge');
    expect([...exposition.types.keys()].filter((name) => name.startsWith('faultline_process_') || name.startsWith('faultline_nodejs_'))).toEqual([]);
    for (const [name, type] of exposition.types) expect(name.endsWith('_total') === (type === 'counter'), `${name} is a ${type}`).toBe(true);
  });

  describeWithTool(PROMTOOL, 'promtool', () => {
    it('check metrics finds nothing in the live output', () => {
      const result = spawnSync(PROMTOOL.path()!, ['check', 'metrics'], { input: exposition.text, encoding: 'utf8' });
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  });

  it('serves every metric the Grafana dashboard queries', () => {
    const dashboard = JSON.parse(readFileSync(join(REPO, 'examples/grafana/faultline.json'), 'utf8')) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
      templating: { list: Array<{ definition: string }> };
    };
    const queries = [...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...dashboard.templating.list.map((v) => v.definition)];
    const names = new Set(queries.flatMap((q) => [...q.matchAll(/\b(?:faultline|process|nodejs)_\w+/g)].map((m) => m[0])));
    expect(names.size).toBeGreaterThan(15);
    // A histogram's series are its family's name with _bucket, _sum or _count.
    const family = (name: string): string => {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return exposition.types.get(base) === 'histogram' ? base : name;
    };
    expect([...names].filter((name) => !exposition.types.has(family(name)))).toEqual([]);
    const sampled = (name: string): boolean => [...exposition.samples.keys()].some((series) => series === name || series.startsWith(`${name}{`));
    expect([...names].filter((name) => !sampled(name))).toEqual([]);
  });
});

describe('/metrics before anything has a value', () => {
  it('leaves out the model and per-asset series instead of reporting 0', { timeout: 30_000 }, async () => {
    const broker = await startBroker();
    onCleanup(() => broker.close());
    const dir = await tempDir('metrics-empty');
    const port = await freePort();
    const agent = startAgent(writeConfig(dir, { ...ingestConfig({ kind: 'aedes', url: broker.url, protocolVersion: 4 }), http: { listen: `127.0.0.1:${port}` } }));
    await agent.waitForLog((l) => l.msg === 'subscribed', 15_000, 'subscribed');
    const { samples, types } = await scrape(`http://127.0.0.1:${port}`);
    expect(types.has('faultline_model_rmse_seconds')).toBe(true);
    const absent = ['faultline_model_rmse_seconds', 'faultline_model_version', 'faultline_asset_risk', 'faultline_asset_level', 'faultline_asset_time_to_fault_seconds'];
    expect(absent.filter((name) => [...samples.keys()].some((series) => series === name || series.startsWith(`${name}{`)))).toEqual([]);
    expect(samples.get('faultline_mqtt_connected')).toBe(1);
    expect((await agent.stop()).code).toBe(0);
  });
});
