// SSE, MSE and R² of any linear model from a Gram, against the same computed row by row.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GramSum, gramOf } from '../../../src/learn/gram.js';
import { metricsFromGram } from '../../../src/learn/gram-metrics.js';
import { metrics } from '../../../src/learn/metrics.js';
import { mulberry32 } from '../../../src/demo/random.js';

/** Rows near `offset` with y a noisy linear function of them, and the row-by-row metrics of a model. */
function table(seed: number, n: number, p: number, offset: number) {
  const rnd = mulberry32(seed);
  const X = Float64Array.from({ length: n * p }, () => offset + rnd());
  const y = Float64Array.from({ length: n }, (_, i) => 100 + 30 * ((X[i * p] as number) - offset) + 5 * rnd());
  return { X, y };
}

function rowMetrics(X: Float64Array, y: Float64Array, p: number, intercept: number, coef: number[]) {
  const pred = Float64Array.from(y, (_, i) => intercept + coef.reduce((a, c, j) => a + c * (X[i * p + j] as number), 0));
  return metrics(y, pred);
}

function expectRel(got: number, want: number, tol: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(tol * Math.abs(want));
}

describe('metricsFromGram', () => {
  it('equals the row computation for any model (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.double({ min: -1e3, max: 1e3, noNaN: true }),
        (n, p, seed, coefs, intercept) => {
          const { X, y } = table(seed, n, p, 20);
          const coef = coefs.slice(0, p);
          const want = rowMetrics(X, y, p, intercept, coef);
          const got = metricsFromGram(gramOf(X, y, p), { intercept, coef });
          expect(got.n).toBe(n);
          expectRel(got.mse, want.mse, 1e-9);
          expectRel(got.sse, want.mse * n, 1e-9);
          expectRel(got.rmse, want.rmse, 1e-9);
          expect(Math.abs(got.r2 - want.r2)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want.r2)));
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });

  it('uses the model centre (mean, interceptStd) when it has one, with the same result', () => {
    const { X, y } = table(4, 500, 2, 600);
    const coef = [30, -2];
    const mean = [600.5, 600.5];
    const interceptStd = 110;
    const intercept = interceptStd - coef[0]! * mean[0]! - coef[1]! * mean[1]!;
    const want = rowMetrics(X, y, 2, intercept, coef);
    const got = metricsFromGram(gramOf(X, y, 2), { intercept, coef, mean, interceptStd });
    expectRel(got.mse, want.mse, 1e-9);
    expectRel(got.r2, want.r2, 1e-9);
  });

  it('does not clip: predictions below 0 count in full', () => {
    const X = new Float64Array([1, 2, 3]);
    const y = new Float64Array([0, 0, 0]);
    const got = metricsFromGram(gramOf(X, y, 1), { intercept: -10, coef: [0] });
    expect(got.mse).toBeCloseTo(100, 9);
    expect(metrics(y, [-10, -10, -10], [0, 1000]).mse).toBe(0); // what clipping would have said
  });

  it('follows metrics.ts for constant labels: R² 1 for a perfect model, 0 otherwise', () => {
    const X = new Float64Array([1, 2, 3, 4]);
    const y = new Float64Array([5, 5, 5, 5]);
    expect(metricsFromGram(gramOf(X, y, 1), { intercept: 5, coef: [0] }).r2).toBe(1);
    expect(metricsFromGram(gramOf(X, y, 1), { intercept: 6, coef: [0] }).r2).toBe(0);
  });

  it('is NaN for no rows and refuses a model of another width', () => {
    const empty = new GramSum(2).toGram();
    const m = metricsFromGram(empty, { intercept: 0, coef: [1, 2] });
    expect(m.n).toBe(0);
    expect(m.mse).toBeNaN();
    expect(m.r2).toBeNaN();
    expect(() => metricsFromGram(empty, { intercept: 0, coef: [1] })).toThrow(/1 coefficients for a Gram of 2/);
  });
});
