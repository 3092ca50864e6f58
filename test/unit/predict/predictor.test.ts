import { describe, expect, it } from 'vitest';
import { LiveWindows } from '../../../src/predict/live-windows.js';
import { Predictor } from '../../../src/predict/predictor.js';
import { predictionPayload } from '../../../src/predict/payload.js';
import { predictionMessages } from '../../../src/topics/contract.js';
import { handModel } from '../../helpers/model.js';

const MIN = 60_000;
const options = { minIntervalMs: 5 * MIN, levels: { warning: 0.5, alarm: 0.8, hysteresis: 0.05 }, contributions: 2 };

function feed(w: LiveWindows, from: number, to: number, temperature: (t: number) => number): number[] {
  const times: number[] = [];
  for (let t = from; t <= to; t += MIN) {
    w.add('press3', 'line1', 'temperature', t, temperature(t));
    times.push(t);
  }
  return times;
}

describe('Predictor', () => {
  const model = handModel();

  it('waits for a full window, then predicts at most once per min_interval of event time', () => {
    const w = new LiveWindows(new Set(['temperature']), 15 * MIN);
    const p = new Predictor(options);
    // As the service does: each reading is added, then its time is offered for a prediction.
    const made = [];
    for (let t = 0; t <= 30 * MIN; t += MIN) {
      w.add('press3', 'line1', 'temperature', t, 70);
      made.push(...p.predict(model, w, 'press3', [t]));
    }
    expect(made.map((m) => m.prediction.ts)).toEqual([10 * MIN, 15 * MIN, 20 * MIN, 25 * MIN, 30 * MIN]);
    expect(made[0]).toMatchObject({ asset: 'press3', line: 'line1', level: 0, modelVersion: '0', horizonS: 7200 });
    expect(made[0]!.prediction.timeToFaultS).toBeCloseTo(4320, 6);
  });

  it('never makes a prediction stamped older than one it already made', () => {
    const w = new LiveWindows(new Set(['temperature']), 60 * MIN);
    const p = new Predictor({ ...options, minIntervalMs: 1000 });
    feed(w, 0, 20 * MIN, () => 70);
    expect(p.predict(model, w, 'press3', [20 * MIN])).toHaveLength(1);
    expect(p.predict(model, w, 'press3', [15 * MIN, 20 * MIN])).toHaveLength(0);
    w.add('press3', 'line1', 'temperature', 21 * MIN, 70);
    expect(p.predict(model, w, 'press3', [21 * MIN]).map((m) => m.prediction.ts)).toEqual([21 * MIN]);
  });

  it('says why there is no prediction', () => {
    const w = new LiveWindows(new Set(['temperature']), 60 * MIN);
    const p = new Predictor(options);
    expect(p.predict(null, w, 'press3', [0])).toEqual([]);
    expect(p.whyNot('press3')).toBe('no model yet: collecting labelled history');
    feed(w, 0, 5 * MIN, () => 70);
    expect(p.predict(model, w, 'press3', [5 * MIN])).toEqual([]);
    expect(p.whyNot('press3')).toMatch(/^window not full yet \(missing temperature_mean\)/);
  });

  it('clips time to fault to [0, horizon] and raises the level with risk', () => {
    const w = new LiveWindows(new Set(['temperature']), 60 * MIN);
    const p = new Predictor({ ...options, minIntervalMs: 1 });
    feed(w, 0, 20 * MIN, () => 40); // the line would say more than the horizon
    expect(p.predict(model, w, 'press3', [20 * MIN])[0]!.prediction).toMatchObject({ timeToFaultS: 7200, risk: 0 });
    feed(w, 21 * MIN, 40 * MIN, () => 95); // beyond the fault
    const [hot] = p.predict(model, w, 'press3', [40 * MIN]);
    expect(hot!.prediction).toMatchObject({ timeToFaultS: 0, risk: 1 });
    expect(hot!.level).toBe(2);
    expect(p.level('press3')).toBe(2);
  });
});

describe('prediction payload', () => {
  const prediction = {
    asset: 'press3',
    line: 'line1',
    prediction: { ts: 1764320000000, timeToFaultS: 5400.04, risk: 0.250006, contributions: [{ feature: 'vibration_slope', value: -812.44 }] },
    level: 0 as const,
    modelVersion: '7',
    horizonS: 7200,
  };

  it('is the contract’s JSON, key for key', () => {
    expect(predictionPayload(prediction)).toEqual({
      ts: 1764320000000,
      asset: 'press3',
      line: 'line1',
      time_to_fault_s: 5400,
      horizon_s: 7200,
      risk: 0.25,
      level: 'ok',
      model: '7',
      contributions: [{ feature: 'vibration_slope', value: -812.4 }],
    });
  });

  it('adds bare-number scalars for PLCs when asked', () => {
    const alarm = { ...prediction, level: 2 as const };
    const messages = predictionMessages('plant/line1/press3/prediction', predictionPayload(alarm), alarm.level, { qos: 1, scalars: true });
    expect(messages.map((m) => [m.topic, m.qos, m.retain])).toEqual([
      ['plant/line1/press3/prediction', 1, false],
      ['plant/line1/press3/prediction/risk', 1, false],
      ['plant/line1/press3/prediction/time_to_fault_s', 1, false],
      ['plant/line1/press3/prediction/level', 1, false],
    ]);
    expect(messages.slice(1).map((m) => m.payload)).toEqual(['0.25', '5400', '2']);
    expect(JSON.parse(messages[0]!.payload)).toEqual(predictionPayload(alarm));
    expect(predictionMessages('t', predictionPayload(prediction), prediction.level, { qos: 0, scalars: false })).toHaveLength(1);
  });
});
