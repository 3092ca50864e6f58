// The track record's logic against values worked out here: lead times of the first warning and
// alarm before a fault, a missed fault, false alarms, redeliveries, model changes and its bounds.
import { describe, expect, it } from 'vitest';
import type { Level } from '../../../src/predict/levels.js';
import { SAMPLES_PER_HORIZON, TrackRecord, type FaultRecord, type TrackedPrediction } from '../../../src/predict/track-record.js';

const H = 7200; // horizon, s
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function prediction(ts: number, timeToFaultS: number, level: Level, modelVersion = '3', asset = 'press1'): TrackedPrediction {
  return { asset, line: 'line1', ts, timeToFaultS, level, modelVersion, horizonS: H };
}

/** Feeds predictions; returns every false alarm they settled. */
function feed(track: TrackRecord, predictions: TrackedPrediction[]) {
  return predictions.flatMap((p) => track.prediction(p));
}

function faultRecord(events: ReturnType<TrackRecord['fault']>): FaultRecord {
  const record = events.find((e): e is FaultRecord => e.kind === 'fault');
  expect(record).toBeDefined();
  return record!;
}

describe('the track record', () => {
  it('gives the lead times of the first warning and alarm in the horizon before a fault, and the errors', () => {
    const track = new TrackRecord();
    // A prediction a minute for 3 hours; the fault comes at minute 180. Predicted time to fault is
    // 600 s too optimistic from minute 100 on; the level reaches warning at 120 and alarm at 150.
    const fault = T0 + 180 * MIN;
    const predictions: TrackedPrediction[] = [];
    for (let m = 0; m < 180; m++) {
      const actual = (fault - (T0 + m * MIN)) / 1000;
      const predicted = m < 100 ? H : Math.min(H, actual + 600);
      const level: Level = m >= 150 ? 2 : m >= 120 ? 1 : 0;
      predictions.push(prediction(T0 + m * MIN, predicted, level));
    }
    expect(feed(track, predictions)).toEqual([]);
    const record = faultRecord(track.fault('press1', 'line1', fault));

    // The horizon before the fault runs from minute 60 to 179.
    const inWindow = predictions.filter((p) => p.ts >= fault - H * 1000);
    const errors = inWindow.map((p) => p.timeToFaultS - (fault - p.ts) / 1000);
    expect(inWindow).toHaveLength(120);
    expect(record).toEqual({
      kind: 'fault',
      asset: 'press1',
      line: 'line1',
      modelVersion: '3',
      ts: fault,
      horizonS: H,
      warningLeadS: 60 * 60,
      alarmLeadS: 30 * 60,
      predictions: 120,
      maeS: errors.reduce((a, e) => a + Math.abs(e), 0) / 120,
      rmseS: Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / 120),
      biasS: errors.reduce((a, e) => a + e, 0) / 120,
      coverageS: H,
    });
    // Minutes 60..99 predict the horizon (7200 s) where 7200..4860 s were left; 100..179 are 600 s out.
    expect(record.biasS).toBeCloseTo((40 * 7200 - sum(40, (m) => (180 - (60 + m)) * 60) + 80 * 600) / 120, 6);
  });

  it('counts a fault with no warning as missed', () => {
    const track = new TrackRecord();
    const fault = T0 + 130 * MIN;
    feed(track, Array.from({ length: 130 }, (_, m) => prediction(T0 + m * MIN, H, 0)));
    const record = faultRecord(track.fault('press1', 'line1', fault));
    expect(record.warningLeadS).toBeNull();
    expect(record.alarmLeadS).toBeNull();
    expect(record.predictions).toBe(120);
  });

  it('counts an alarm whose horizon passes with no fault as false, once, when event time passes it', () => {
    const track = new TrackRecord();
    const rise = T0 + 10 * MIN;
    const before = feed(track, [prediction(T0, H, 0), prediction(rise, 1000, 2), ...Array.from({ length: 120 }, (_, m) => prediction(rise + (m + 1) * MIN, 1000, 2))]);
    // The prediction at rise + 120 min is at the end of the horizon, not past it.
    expect(before).toEqual([]);
    const after = track.prediction(prediction(rise + H * 1000 + 1, 1000, 2));
    expect(after).toEqual([{ kind: 'false_alarm', asset: 'press1', line: 'line1', modelVersion: '3', ts: rise, horizonS: H }]);
    // Staying at alarm raises no new alarm.
    expect(feed(track, [prediction(rise + 3 * H * 1000, 1000, 2)])).toEqual([]);
  });

  it('settles an alarm as right when the fault comes within its horizon', () => {
    const track = new TrackRecord();
    feed(track, [prediction(T0, H, 0), prediction(T0 + MIN, 500, 2)]);
    const events = track.fault('press1', 'line1', T0 + 30 * MIN);
    expect(events.map((e) => e.kind)).toEqual(['fault']);
    expect(faultRecord(events).alarmLeadS).toBe(29 * 60);
    // After the fault the level starts over: the next alarm is a new one, and it is false if no fault follows.
    feed(track, [prediction(T0 + 40 * MIN, 500, 2)]);
    expect(feed(track, [prediction(T0 + 40 * MIN + H * 1000 + 1, 500, 2)])).toEqual([expect.objectContaining({ kind: 'false_alarm', ts: T0 + 40 * MIN })]);
  });

  it('settles an old alarm as false when a fault comes after its horizon', () => {
    const track = new TrackRecord();
    feed(track, [prediction(T0, 500, 2)]);
    const events = track.fault('press1', 'line1', T0 + H * 1000 + MIN);
    expect(events).toEqual([expect.objectContaining({ kind: 'false_alarm', ts: T0 })]);
  });

  it('records a redelivered fault once', () => {
    const track = new TrackRecord();
    feed(track, [prediction(T0, 500, 2)]);
    expect(track.fault('press1', 'line1', T0 + MIN)).toHaveLength(1);
    expect(track.fault('press1', 'line1', T0 + MIN)).toEqual([]);
  });

  it('judges the model that predicted last, on its own predictions, and says how much of the horizon it covered', () => {
    const track = new TrackRecord();
    feed(track, [prediction(T0, 3000, 1, '3'), prediction(T0 + MIN, 2900, 1, '3'), prediction(T0 + 90 * MIN, H, 0, '4'), prediction(T0 + 100 * MIN, H, 0, '4')]);
    const record = faultRecord(track.fault('press1', 'line1', T0 + 110 * MIN));
    expect(record).toMatchObject({ modelVersion: '4', warningLeadS: null, predictions: 2, coverageS: 20 * 60 });
  });

  it('leaves predictions made before the previous fault to that fault', () => {
    const track = new TrackRecord();
    feed(track, [prediction(T0, 1000, 1)]);
    track.fault('press1', 'line1', T0 + MIN);
    feed(track, [prediction(T0 + 20 * MIN, H, 0)]);
    expect(faultRecord(track.fault('press1', 'line1', T0 + 30 * MIN))).toMatchObject({ warningLeadS: null, predictions: 1 });
  });

  it('records nothing for a fault with no prediction in the horizon before it', () => {
    const track = new TrackRecord();
    expect(track.fault('press1', 'line1', T0)).toEqual([]);
    feed(track, [prediction(T0 + MIN, 1000, 1)]);
    expect(track.fault('press1', 'line1', T0 + MIN + H * 1000 + 1)).toEqual([]);
  });

  it('keeps each asset apart', () => {
    const track = new TrackRecord();
    feed(track, [prediction(T0, 1000, 2, '3', 'a'), prediction(T0, H, 0, '3', 'b')]);
    expect(faultRecord(track.fault('b', 'line1', T0 + MIN))).toMatchObject({ asset: 'b', alarmLeadS: null });
    expect(faultRecord(track.fault('a', 'line1', T0 + MIN))).toMatchObject({ asset: 'a', alarmLeadS: 60 });
  });

  it('stays bounded at any prediction rate, and keeps every change of level', () => {
    const track = new TrackRecord();
    // A prediction every 10 ms of event time for 3 horizons: 2.16M predictions.
    const step = 10;
    const end = T0 + 3 * H * 1000;
    let n = 0;
    for (let ts = T0; ts < end; ts += step) {
      const level: Level = ts >= end - 100 * step ? 1 : 0;
      track.prediction(prediction(ts, H, level));
      n++;
    }
    const record = faultRecord(track.fault('press1', 'line1', end));
    expect(n).toBeGreaterThan(2_000_000);
    expect(record.predictions).toBeLessThanOrEqual(SAMPLES_PER_HORIZON + 2);
    expect(record.predictions).toBeGreaterThanOrEqual(SAMPLES_PER_HORIZON - 2);
    expect(record.warningLeadS).toBe((100 * step) / 1000);
  });
});

function sum(n: number, f: (i: number) => number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += f(i);
  return total;
}
