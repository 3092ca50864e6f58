// The calibration a fleet shares (issue 15): rows binned by score, summed across members, then one
// isotonic fit. Members holding parts of the rows must serve what one gateway with all of them serves.
import { describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../../../src/demo/random.js';
import { CALIBRATION_BINS } from '../../../src/fleet/types.js';
import { calibrate } from '../../../src/learn/isotonic.js';
import type { RidgeModel } from '../../../src/learn/linear.js';
import { binnedCalibration, calibrationBins, pooledCalibration, type Scored } from '../../../src/train/fleet-aggregates.js';

const H = 7200;
// score = x₀, so a row's bin is known in the test.
const model: RidgeModel = { featureNames: ['x'], mean: [0], std: [1], coefStd: [1], coef: [1], intercept: 0, interceptStd: 0, lambda: 0, nTrain: 1, solver: 'cholesky' };

function rows(count: number, seed: number): Scored[] {
  const gauss = normal(mulberry32(seed));
  return Array.from({ length: count }, () => {
    const y = H * mulberry32(seed++)();
    return { x: Float64Array.of(y + 600 * gauss()), y };
  });
}

describe('binned calibration', () => {
  it('counts each row in the bin of its score, the ends taking what lies beyond', () => {
    const width = (1.5 * H) / CALIBRATION_BINS;
    const at = (score: number): Scored => ({ x: Float64Array.of(score), y: 100 });
    const bins = binnedCalibration(model, [...Array.from({ length: 17 }, () => at(-H)), at(-H / 4 + 2.5 * width), ...Array.from({ length: 2 }, () => at(10 * H))], H)!;
    expect(bins.rows).toBe(20);
    expect(bins.n[0]).toBe(17);
    expect(bins.n[2]).toBe(1);
    expect(bins.n[CALIBRATION_BINS - 1]).toBe(2);
    expect(bins.sy[0]).toBe(1700);
    expect(bins.n.reduce((a, b) => a + b, 0)).toBe(20);
    expect(calibrationBins(H)[2]).toBeCloseTo(-H / 4 + 2.5 * width, 9);
    expect(binnedCalibration(model, [at(0)], H)).toBeNull();
  });

  it('gives three members with a third of the rows each the calibration of one with them all', () => {
    const all = rows(3000, 7);
    const lone = pooledCalibration([binnedCalibration(model, all, H)!], H)!;
    const members = [0, 1, 2].map((m) => binnedCalibration(model, all.filter((_, i) => i % 3 === m), H)!);
    const fleet = pooledCalibration(members, H)!;
    const reversed = pooledCalibration([...members].reverse(), H)!;
    expect(fleet).toEqual(reversed);
    expect(fleet.pairs).toBe(3000);
    expect(fleet.x).toEqual(lone.x);
    fleet.y.forEach((y, k) => expect(Math.abs(y - (lone.y[k] as number))).toBeLessThan(1e-9 * H));
    // Monotone, and it follows the truth: the mean label of rows scoring s is about s here.
    for (let k = 1; k < fleet.y.length; k++) expect(fleet.y[k]!).toBeGreaterThanOrEqual(fleet.y[k - 1]!);
    expect(Math.abs(calibrate(fleet, H / 2) - H / 2)).toBeLessThan(0.1 * H);
  });
});
