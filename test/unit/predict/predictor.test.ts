import { describe, expect, it } from 'vitest';
import { recipeHash } from '../../../src/learn/recipe.js';
import { LiveFeatures } from '../../../src/predict/live-features.js';
import { Predictor } from '../../../src/predict/predictor.js';
import { predictionPayload } from '../../../src/predict/payload.js';
import { predictionMessages } from '../../../src/topics/contract.js';
import { handModel } from '../../helpers/model.js';

const MIN = 60_000;
const options = { minIntervalMs: 5 * MIN, levels: { warning: 0.5, alarm: 0.8, hysteresis: 0.05 }, contributions: 2 };

describe('Predictor', () => {
  const model = handModel();
  const live = (): LiveFeatures => new LiveFeatures(recipeHash(model.recipe), model.recipe, null);
  /** As the service does: each reading is taken, then its time is offered for a prediction. */
  const feed = (w: LiveFeatures, p: Predictor, from: number, to: number, temperature: (t: number) => number): number[] => {
    const made: number[] = [];
    for (let t = from; t <= to; t += MIN) {
      w.push('press3', 'line1', t, [['temperature', temperature(t)]]);
      const prediction = p.predict(model, w, 'press3', t);
      if (prediction) made.push(prediction.prediction.ts);
    }
    return made;
  };

  it('waits for a full window when the model asks for one, then predicts at most once per min_interval of event time', () => {
    const w = live();
    const p = new Predictor(options);
    expect(feed(w, p, 0, 30 * MIN, () => 70)).toEqual([10 * MIN, 15 * MIN, 20 * MIN, 25 * MIN, 30 * MIN]);
    w.push('press3', 'line1', 35 * MIN, [['temperature', 70]]);
    const made = p.predict(model, w, 'press3', 35 * MIN);
    expect(made).toMatchObject({ asset: 'press3', line: 'line1', level: 0, modelVersion: '0', horizonS: 7200 });
    expect(made!.prediction.timeToFaultS).toBeCloseTo(4320, 6);
    expect(made!.prediction.historyS).toBe(35 * 60);
  });

  it('never makes a prediction stamped older than one it already made', () => {
    const w = live();
    const p = new Predictor({ ...options, minIntervalMs: 1000 });
    feed(w, p, 0, 20 * MIN, () => 70);
    expect(p.predict(model, w, 'press3', 20 * MIN)).toBeNull();
    expect(p.predict(model, w, 'press3', 15 * MIN)).toBeNull();
    w.push('press3', 'line1', 21 * MIN, [['temperature', 70]]);
    expect(p.predict(model, w, 'press3', 21 * MIN)?.prediction.ts).toBe(21 * MIN);
  });

  it('says why there is no prediction', () => {
    const w = live();
    const p = new Predictor(options);
    expect(p.predict(null, w, 'press3', 0)).toBeNull();
    expect(p.whyNot('press3')).toBe('no model yet: collecting labelled history');
    feed(w, p, 0, 5 * MIN, () => 70);
    expect(p.predict(model, w, 'press3', 5 * MIN)).toBeNull();
    expect(p.whyNot('press3')).toBe('waiting for a full window (600 s) of history');
  });

  it('clips time to fault to [0, horizon] and raises the level with risk', () => {
    const w = live();
    const p = new Predictor({ ...options, minIntervalMs: 1 });
    feed(w, p, 0, 20 * MIN, () => 40); // the line would say more than the horizon
    w.push('press3', 'line1', 20 * MIN + 1, [['temperature', 40]]);
    expect(p.predict(model, w, 'press3', 20 * MIN + 1)!.prediction).toMatchObject({ timeToFaultS: 7200, risk: 0 });
    feed(w, new Predictor({ ...options, minIntervalMs: 1e12 }), 21 * MIN, 40 * MIN, () => 95); // beyond the fault
    w.push('press3', 'line1', 41 * MIN, [['temperature', 95]]);
    const hot = p.predict(model, w, 'press3', 41 * MIN);
    expect(hot!.prediction).toMatchObject({ timeToFaultS: 0, risk: 1 });
    expect(hot!.level).toBe(2);
    expect(p.level('press3')).toBe(2);
  });
});

describe('prediction payload', () => {
  const prediction = {
    asset: 'press3',
    line: 'line1',
    prediction: { ts: 1764320000000, timeToFaultS: 5400.04, risk: 0.250006, historyS: 812.4, contributions: [{ feature: 'vibration_slope', value: -812.44 }] },
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
      history_s: 812,
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
