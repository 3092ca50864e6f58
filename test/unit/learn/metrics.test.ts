// Regression metrics, clipping, the documented R² rule for constant labels, and the constant baseline.
import { describe, expect, it } from 'vitest';
import { baselineMetrics, clip, meanOf, metrics } from '../../../src/learn/metrics.js';

describe('metrics', () => {
  it('computes mse, rmse, mae and r2', () => {
    const m = metrics([1, 2, 3, 4], [1, 3, 2, 6]);
    expect(m.n).toBe(4);
    expect(m.mse).toBeCloseTo((0 + 1 + 1 + 4) / 4, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(1.5), 12);
    expect(m.mae).toBeCloseTo(1, 12);
    expect(m.r2).toBeCloseTo(1 - 6 / 5, 12); // SS_tot around mean 2.5 is 5
  });

  it('clips predictions to [0, H] before scoring', () => {
    const m = metrics([0, 100], [-50, 180], [0, 100]);
    expect(m.mse).toBe(0);
    expect(m.r2).toBe(1);
    expect(metrics([0, 100], [-50, 180]).mae).toBe(65);
  });

  it('gives r2 = 1 for a perfect prediction of constant labels and 0 otherwise', () => {
    expect(metrics([7, 7, 7], [7, 7, 7]).r2).toBe(1);
    expect(metrics([7, 7, 7], [7, 8, 7]).r2).toBe(0);
  });

  it('is NaN everywhere for no rows and refuses mismatched lengths', () => {
    const m = metrics([], []);
    expect(m.n).toBe(0);
    expect(m.rmse).toBeNaN();
    expect(m.r2).toBeNaN();
    expect(() => metrics([1], [1, 2])).toThrow(RangeError);
  });
});

describe('baselineMetrics', () => {
  it('predicts the clipped mean of the training labels', () => {
    const b = baselineMetrics([10, 20, 30], [20, 40]);
    expect(b.prediction).toBe(20);
    expect(b.mae).toBe(10);
    expect(b.r2).toBeCloseTo(1 - 400 / 200, 12);
    expect(baselineMetrics([300, 500], [100], [0, 200]).prediction).toBe(200);
  });
});

describe('helpers', () => {
  it('clips and averages', () => {
    expect(clip(-1, 0, 5)).toBe(0);
    expect(clip(9, 0, 5)).toBe(5);
    expect(clip(3, 0, 5)).toBe(3);
    expect(meanOf(new Float64Array([1, 2, 6]))).toBe(3);
  });
});
