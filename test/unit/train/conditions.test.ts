// Operating conditions (issue 14): a press that runs two products, light and heavy, switching every
// few minutes. Heavy parts raise every sensor's level and its spread, and wear moves each sensor by
// the same share of its spread in either product. Named in `model.conditions`, the load picks a
// regime within which each sensor is compared; left unnamed, the product mix looks like wear.
import { describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../../../src/demo/random.js';
import type { AssetHistory } from '../../../src/learn/types.js';
import { runJob } from '../../../src/train/job.js';
import { memoryEpisodeStore } from '../../../src/train/memory-store.js';
import { memorySource } from '../../../src/train/source.js';
import { seriesOf, type Point } from '../../helpers/series.js';
import { H_S, HOUR, MIN, T0, modelConfig } from './synthetic.js';

/** Level and spread of each sensor in each product. */
const PRODUCTS = {
  light: { load: 20, temp: [50, 1], current: [10, 0.5] },
  heavy: { load: 80, temp: [90, 5], current: [40, 3] },
} as const;

/**
 * Four presses, six faults each 4–8 h apart. With `twoProducts` false the press only runs light
 * parts (one operating point, the load field still reported with its noise).
 */
function press(seed: number, twoProducts: boolean): AssetHistory[] {
  return Array.from({ length: 4 }, (_, a) => {
    const rnd = mulberry32(seed * 1000 + a);
    const gauss = normal(rnd);
    const faults: number[] = [];
    let t = T0 + Math.round(rnd() * HOUR);
    for (let k = 0; k < 6; k++) faults.push((t += Math.round((4 + 4 * rnd()) * HOUR)));
    const points = { load: [] as Point[], temp: [] as Point[], current: [] as Point[] };
    let product: keyof typeof PRODUCTS = 'light';
    let switchAt = T0;
    for (let ts = T0; ts <= t + 3 * HOUR; ts += MIN) {
      if (ts >= switchAt) {
        product = twoProducts && rnd() < 0.5 ? 'heavy' : 'light';
        switchAt = ts + Math.round((3 + 12 * rnd()) * MIN);
      }
      const next = faults.find((f) => f >= ts);
      const wear = next === undefined ? 0 : Math.max(0, 1 - (next - ts) / 1000 / H_S);
      const p = PRODUCTS[product];
      points.load.push({ ts, value: p.load + gauss() });
      points.temp.push({ ts, value: p.temp[0] + p.temp[1] * (gauss() + 2 * wear) });
      points.current.push({ ts, value: p.current[0] + p.current[1] * (gauss() + 1.5 * wear) });
    }
    const series = new Map(Object.entries(points).map(([name, list]) => [name, seriesOf(list)]));
    return { asset: `press${a + 1}`, series, faults };
  });
}

const train = (histories: AssetHistory[], conditions: string[]) =>
  runJob(memorySource(histories), memoryEpisodeStore(), {
    model: modelConfig({ features: ['ewma', 'age', 'squares'], stride: 'auto', conditions, test_fraction: 0.2 }),
    champion: null,
    now: T0,
  });

describe('operating conditions', () => {
  // Recorded (binned calibration): with conditions R² 0.944 / 0.942 / 0.969; without, RMSE 1.64× / 1.31× / 1.49× higher.
  it.each([1, 2, 3])('seed %i: with the load named, R² > 0.8 on the held-out episodes; without it, visibly worse', (seed) => {
    const histories = press(seed, true);
    const withLoad = train(histories, ['load']);
    const without = train(histories, []);
    expect(withLoad.card.recipe.regimes).toBe(2);
    expect(withLoad.card.recipe.conditions).toEqual(['load']);
    // The condition is an input to the scaling, not a wear feature.
    expect(withLoad.model.recipe.sensors).toEqual(['current', 'temp']);
    expect(withLoad.card.metrics.challenger.r2).toBeGreaterThan(0.8);
    expect(without.card.recipe.regimes).toBe(1);
    expect(without.model.recipe.sensors).toEqual(['current', 'load', 'temp']);
    expect(without.card.metrics.challenger.rmse).toBeGreaterThan(1.3 * withLoad.card.metrics.challenger.rmse!);
  });

  it('finds one regime when the machine runs at one operating point', () => {
    const outcome = train(press(1, false), ['load']);
    expect(outcome.card.recipe.regimes).toBe(1);
    expect(outcome.model.recipe.regimes?.regimes).toBeNull();
    expect(outcome.card.notes.join('\n')).toMatch(/one operating regime in load \(silhouette 0\.\d\d; regimes are kept above 0\.8\)/);
    expect(outcome.card.metrics.challenger.r2).toBeGreaterThan(0.8);
  });
});
