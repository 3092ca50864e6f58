// The live track record end to end (issue 16): `faultline replay` plays a synthetic line whose assets
// fail after a known ramp, with a model serving; the record in `faultline status --json` and on
// /metrics matches what this test computes from the predictions the agent published: lead times per
// fault, one fault with no warning counted as missed, and one alarm with no fault counted as false.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PredictionPayload } from '../../../src/predict/payload.js';
import type { TrackRecordStatus } from '../../../src/store/track-record.js';
import { runCli } from '../../helpers/cli.js';
import { HAND_MODEL_HORIZON_S } from '../../helpers/model.js';
import { waitUntil } from '../../helpers/wait.js';
import { MINUTE, startPageAgent } from './line.js';

const H_MS = HAND_MODEL_HORIZON_S * 1000;

/**
 * Temperature per minute. ramp1 and ramp2 heat up to a fault (the file's last row of each: replay's
 * --fault-at-end); steady stays cool until its fault, which no warning precedes; scare heats to
 * alarm, cools down and runs on for three hours with no fault.
 */
const ASSETS: Record<string, { minutes: number; temperature: (m: number) => number; fails: boolean }> = {
  ramp1: { minutes: 150, temperature: (m) => (m < 40 ? 60 : 60 + (m - 40) * 0.24), fails: true },
  ramp2: { minutes: 120, temperature: (m) => (m < 60 ? 61 : 61 + (m - 60) * 0.45), fails: true },
  steady: { minutes: 140, temperature: (m) => 62 + (m % 3), fails: true },
  scare: { minutes: 240, temperature: (m) => (m >= 20 && m < 40 ? 82 : 60), fails: false },
};

function csv(start: number, fails: boolean): string {
  const rows: Array<[number, string, number]> = [];
  for (const [asset, spec] of Object.entries(ASSETS)) {
    if (spec.fails !== fails) continue;
    for (let m = 0; m < spec.minutes; m++) rows.push([start + m * MINUTE, asset, spec.temperature(m)]);
  }
  rows.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return `ts,asset,line,temperature\n${rows.map(([ts, asset, t]) => `${ts},${asset},line1,${t.toFixed(3)}`).join('\n')}\n`;
}

interface Expected {
  asset: string;
  faultTs: number;
  warningLeadS: number | null;
  alarmLeadS: number | null;
  maeS: number;
  predictions: number;
}

/** The record of a fault, worked out from the published predictions as issue 16 defines it. */
function expectedFault(predictions: readonly PredictionPayload[], asset: string, faultTs: number): Expected {
  const window = predictions.filter((p) => p.asset === asset && p.ts >= faultTs - H_MS && p.ts < faultTs);
  const first = (level: string[]) => window.find((p) => level.includes(p.level));
  const lead = (p: PredictionPayload | undefined) => (p === undefined ? null : (faultTs - p.ts) / 1000);
  const errors = window.map((p) => Math.abs(p.time_to_fault_s - (faultTs - p.ts) / 1000));
  return {
    asset,
    faultTs,
    warningLeadS: lead(first(['warning', 'alarm'])),
    alarmLeadS: lead(first(['alarm'])),
    maeS: errors.reduce((a, b) => a + b, 0) / errors.length,
    predictions: window.length,
  };
}

describe('the live track record', () => {
  it('matches lead times, misses and false alarms worked out from the published predictions', { timeout: 90_000 }, async () => {
    const running = await startPageAgent();
    const predictions: PredictionPayload[] = [];
    running.client.on('message', (topic, payload) => {
      if (topic.endsWith('/prediction')) predictions.push(JSON.parse(payload.toString()) as PredictionPayload);
    });
    await running.client.subscribeAsync('plant/+/+/prediction', { qos: 1 });

    const start = Date.now() - 5 * 3600_000;
    const replay = async (name: string, fails: boolean): Promise<void> => {
      const file = join(running.dir, name);
      writeFileSync(file, csv(start, fails));
      const result = await runCli(['replay', file, '--url', running.broker.url, '--protocol', '4', ...(fails ? ['--fault-at-end'] : [])], { timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(0);
    };
    await replay('failing.csv', true);
    await replay('scare.csv', false);

    // Every reading's prediction arrived (the window is full from the tenth reading on).
    const last = (asset: string) => start + (ASSETS[asset]!.minutes - 1) * MINUTE;
    await waitUntil(() => Object.keys(ASSETS).every((a) => predictions.some((p) => p.asset === a && p.ts === last(a))), 30_000, 'the last prediction of every asset');
    const status = async (): Promise<TrackRecordStatus> => {
      const result = await runCli(['status', '--json', '--config', join(running.dir, 'faultline.yaml')]);
      return (JSON.parse(result.stdout) as { track_record: TrackRecordStatus }).track_record;
    };
    const record = await waitUntil(async () => {
      const r = await status();
      return r.faults === 3 && r.false_alarms === 1 ? r : null;
    }, 10_000, 'three faults and one false alarm in faultline status');

    const expected = ['ramp1', 'ramp2', 'steady'].map((asset) => expectedFault(predictions, asset, last(asset)));
    // The ramps warned, and earlier than they alarmed; steady was missed.
    const [ramp1, ramp2, steady] = expected as [Expected, Expected, Expected];
    // By hand for ramp1: the 10-minute mean of a ramp of 0.24 °C a minute lags its last reading by
    // 4.5 minutes (1.08 °C). Risk is (mean − 60) / 25, so warning (0.5, mean 72.5) comes at minute
    // ⌈40 + 13.58 / 0.24⌉ = 97 and alarm (0.8, mean 80) at ⌈40 + 21.08 / 0.24⌉ = 128; the fault is at 149.
    expect(ramp1).toMatchObject({ warningLeadS: (149 - 97) * 60, alarmLeadS: (149 - 128) * 60 });
    expect(ramp1.warningLeadS).toBeGreaterThan(ramp1.alarmLeadS!);
    expect(ramp2.alarmLeadS).toBeGreaterThan(0);
    expect(steady).toMatchObject({ warningLeadS: null, alarmLeadS: null });
    expect(steady.predictions).toBe(120);
    for (const e of expected) {
      const row = record.recent.find((r) => r.kind === 'fault' && r.asset === e.asset)!;
      expect(row, e.asset).toMatchObject({ ts: e.faultTs, model_version: running.version, warning_lead_s: e.warningLeadS, alarm_lead_s: e.alarmLeadS, predictions: e.predictions });
      expect(row.mae_s).toBeCloseTo(e.maeS, 0);
    }
    expect(record).toMatchObject({ faults: 3, missed: 1, missed_alarm: 1, false_alarms: 1 });
    expect(record.mean_warning_lead_s).toBeCloseTo((ramp1.warningLeadS! + ramp2.warningLeadS!) / 2, 6);

    // scare's alarm: its first prediction at alarm level, with no fault in the horizon after it.
    const scareAlarm = predictions.find((p) => p.asset === 'scare' && p.level === 'alarm')!;
    expect(predictions.some((p) => p.asset === 'scare' && p.ts > scareAlarm.ts + H_MS)).toBe(true);
    expect(record.recent.filter((r) => r.kind === 'false_alarm')).toEqual([expect.objectContaining({ asset: 'scare', ts: scareAlarm.ts, model_version: running.version })]);
    expect(record.by_asset.find((g) => g.asset === 'scare')).toMatchObject({ faults: 0, false_alarms: 1 });

    // /metrics counts the same since the agent started.
    const metrics = await (await fetch(`${running.base}/metrics`)).text();
    const sample = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(sample('faultline_faults_missed_total{level="warning"}')).toBe(1);
    expect(sample('faultline_faults_missed_total{level="alarm"}')).toBe(1);
    expect(sample('faultline_false_alarms_total')).toBe(1);
    expect(sample('faultline_fault_lead_time_seconds_count{level="warning"}')).toBe(2);
    expect(sample('faultline_fault_lead_time_seconds_sum{level="warning"}')).toBeCloseTo(ramp1.warningLeadS! + ramp2.warningLeadS!, 6);

    // And the table of `faultline status` says it in words.
    const text = await runCli(['status', '--config', join(running.dir, 'faultline.yaml')]);
    expect(text.stdout).toMatch(/track record\s+3 fault\(s\): warned 2 \(mean [\d.]+ min before\), alarmed 2 \(mean [\d.]+ min before\), 1 missed, time-to-fault MAE \d+ s; 1 false alarm\(s\)/);
    expect(text.stdout).toContain(`steady (line1), model ${running.version}: 1 fault(s): warned 0, alarmed 0, 1 missed`);
    expect((await running.agent.stop()).code).toBe(0);
  });
});
