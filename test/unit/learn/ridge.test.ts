// Ridge fits on data with a known answer, the collinear fallback, predictions, contributions, λ choice.
import { describe, expect, it } from 'vitest';
import {
  chooseLambda,
  contributions,
  fitRidge,
  gramOf,
  predictRow,
  predictRows,
  RIDGE_ALPHA_GRID,
  solveSymmetric,
  topContributions,
} from '../../../src/learn/ridge.js';
import { mulberry32, normal } from '../../../src/demo/random.js';

/** n rows of p features (uniform, with per-column offsets and scales) and y from a known linear rule plus noise. */
function linearData(seed: number, n: number, coef: number[], intercept: number, noise: number) {
  const rnd = mulberry32(seed);
  const gauss = normal(rnd);
  const p = coef.length;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = intercept;
    for (let j = 0; j < p; j++) {
      const x = 100 * j + (j + 1) * 10 * rnd();
      X[i * p + j] = x;
      v += (coef[j] as number) * x;
    }
    y[i] = v + noise * gauss();
  }
  return { X, y, p, n };
}

describe('fitRidge', () => {
  it('recovers an exact linear relation with a tiny lambda', () => {
    const d = linearData(1, 50, [2, -0.5, 0, 7], 3, 0);
    const m = fitRidge(gramOf(d.X, d.y, d.p), 1e-9, ['a', 'b', 'c', 'd']);
    m.coef.forEach((c, j) => expect(c).toBeCloseTo([2, -0.5, 0, 7][j] as number, 6));
    expect(m.intercept).toBeCloseTo(3, 4);
    expect(m.solver).toBe('cholesky');
    expect(m.featureNames).toEqual(['a', 'b', 'c', 'd']);
  });

  it('recovers the coefficients of a noisy relation from many rows', () => {
    const d = linearData(2, 20_000, [1.5, -3, 0.25], -40, 2);
    const m = fitRidge(gramOf(d.X, d.y, d.p), 1e-6 * d.n);
    expect(m.coef[0]).toBeCloseTo(1.5, 2);
    expect(m.coef[1]).toBeCloseTo(-3, 2);
    expect(m.coef[2]).toBeCloseTo(0.25, 2);
  });

  it('shrinks a lone standardized coefficient by 1 / (1 + alpha) when lambda = alpha·n', () => {
    const d = linearData(3, 200, [4], 1, 5);
    const g = gramOf(d.X, d.y, 1);
    const ols = fitRidge(g, 0).coefStd[0] as number;
    for (const alpha of [0.1, 1, 10]) expect(fitRidge(g, alpha * d.n).coefStd[0]).toBeCloseTo(ols / (1 + alpha), 9);
  });

  it('does not penalize the intercept: a huge lambda predicts the mean label', () => {
    const d = linearData(4, 100, [1, 2], 50, 1);
    const m = fitRidge(gramOf(d.X, d.y, d.p), 1e12);
    const yMean = d.y.reduce((a, b) => a + b, 0) / d.n;
    expect(m.interceptStd).toBeCloseTo(yMean, 9);
    expect(Math.abs(predictRow(m, d.X.subarray(0, 2)) - yMean)).toBeLessThan(1e-3);
  });

  it('standardizes with the training mean and population std', () => {
    const X = new Float64Array([1, 2, 3, 4]);
    const m = fitRidge(gramOf(X, new Float64Array([2, 4, 6, 8]), 1), 0);
    expect(m.mean[0]).toBeCloseTo(2.5, 12);
    expect(m.std[0]).toBeCloseTo(Math.sqrt(1.25), 12); // divide by n, not n − 1
    expect(m.coefStd[0]).toBeCloseTo(2 * Math.sqrt(1.25), 12);
  });

  it('falls back to the minimum-norm eigen solution for duplicated columns and lambda = 0', () => {
    const base = linearData(5, 60, [3], 2, 0.5);
    const X = new Float64Array(60 * 3);
    for (let i = 0; i < 60; i++) {
      const x = base.X[i] as number;
      X.set([x, x, 2 * x + 5], i * 3); // three perfectly collinear columns
    }
    const m = fitRidge(gramOf(X, base.y, 3), 0);
    expect(m.solver).toBe('eigen');
    // Identical standardized columns share the coefficient equally (minimum norm).
    expect(m.coefStd[0]).toBeCloseTo(m.coefStd[1] as number, 8);
    expect(m.coefStd[0]).toBeCloseTo(m.coefStd[2] as number, 8);
    const single = fitRidge(gramOf(base.X, base.y, 1), 0);
    expect((m.coefStd[0] as number) * 3).toBeCloseTo(single.coefStd[0] as number, 8);
    for (let i = 0; i < 60; i += 7) expect(predictRow(m, X.subarray(i * 3, i * 3 + 3))).toBeCloseTo(predictRow(single, [base.X[i] as number]), 6);
  });

  it('uses Cholesky again once lambda makes the collinear system positive definite', () => {
    const X = new Float64Array([1, 1, 2, 2, 3, 3, 4, 4]);
    const m = fitRidge(gramOf(X, new Float64Array([1, 2, 3, 4]), 2), 1);
    expect(m.solver).toBe('cholesky');
    expect(m.coefStd[0]).toBeCloseTo(m.coefStd[1] as number, 12);
  });

  it('gives a constant feature coefficient 0 and std 1 instead of dividing by zero', () => {
    const X = new Float64Array([1, 5, 2, 5, 3, 5, 4, 5]);
    const m = fitRidge(gramOf(X, new Float64Array([2, 4, 6, 8]), 2), 0);
    expect(m.coefStd[1]).toBe(0);
    expect(m.std[1]).toBe(1);
    expect(m.coef[0]).toBeCloseTo(2, 10);
    expect(m.intercept).toBeCloseTo(0, 10);
  });

  it('refuses a negative lambda, fewer than 2 rows, and a wrong number of names', () => {
    const g = gramOf(new Float64Array([1, 2, 3]), new Float64Array([1, 2, 3]), 1);
    expect(() => fitRidge(g, -1)).toThrow(RangeError);
    expect(() => fitRidge(gramOf(new Float64Array([1]), new Float64Array([1]), 1), 1)).toThrow(/at least 2 rows/);
    expect(() => fitRidge(g, 1, ['a', 'b'])).toThrow(/feature names/);
  });
});

describe('predictions and contributions', () => {
  const d = linearData(6, 80, [2, -1, 0.5], 10, 3);
  const m = fitRidge(gramOf(d.X, d.y, d.p), 0.1 * d.n, ['t_mean', 'v_slope', 'p_last']);

  it('predicts the same in standardized and original units', () => {
    for (let i = 0; i < 80; i += 9) {
      const x = d.X.subarray(i * 3, i * 3 + 3);
      const original = m.intercept + m.coef.reduce((a, c, j) => a + c * (x[j] as number), 0);
      expect(predictRow(m, x)).toBeCloseTo(original, 8);
    }
    expect(Array.from(predictRows(m, d.X, [4, 2]))).toEqual([predictRow(m, d.X.subarray(12, 15)), predictRow(m, d.X.subarray(6, 9))]);
    expect(predictRows(m, d.X)).toHaveLength(80);
  });

  it('has contributions that add up to prediction − mean label', () => {
    const x = d.X.subarray(30, 33);
    const terms = contributions(m, x);
    expect(terms.reduce((a, b) => a + b, 0)).toBeCloseTo(predictRow(m, x) - m.interceptStd, 9);
    expect(terms[1]).toBeCloseTo(((m.coefStd[1] as number) * ((x[1] as number) - (m.mean[1] as number))) / (m.std[1] as number), 12);
  });

  it('lists the largest terms first', () => {
    const top = topContributions(m, [0, 0, 0], 2);
    expect(top).toHaveLength(2);
    const all = Array.from(contributions(m, [0, 0, 0]), Math.abs).sort((a, b) => b - a);
    expect(top.map((t) => Math.abs(t.value))).toEqual(all.slice(0, 2));
    expect(top.every((t) => ['t_mean', 'v_slope', 'p_last'].includes(t.feature))).toBe(true);
  });

  it('predicts NaN when a used feature is missing', () => {
    expect(predictRow(m, [NaN, 1, 1])).toBeNaN();
  });
});

describe('solveSymmetric', () => {
  it('solves a positive definite system by Cholesky', () => {
    const { x, solver } = solveSymmetric(new Float64Array([4, 1, 1, 3]), new Float64Array([1, 2]), 2);
    expect(solver).toBe('cholesky');
    expect(x[0]).toBeCloseTo(1 / 11, 12);
    expect(x[1]).toBeCloseTo(7 / 11, 12);
  });
  it('returns the minimum-norm solution of a singular system', () => {
    const { x, solver } = solveSymmetric(new Float64Array([1, 1, 1, 1]), new Float64Array([2, 2]), 2);
    expect(solver).toBe('eigen');
    expect(x[0]).toBeCloseTo(1, 12);
    expect(x[1]).toBeCloseTo(1, 12);
  });
});

describe('chooseLambda', () => {
  const H = 1000;
  /** Episodes of 40 rows each; y = 20·x + 500 (+ noise), or a constant 500 in the last episode when `flatLast`. */
  function episodesData(count: number, flatLast: boolean, noise: number) {
    const rnd = mulberry32(7);
    const gauss = normal(rnd);
    const per = 40;
    const n = count * per;
    const X = new Float64Array(n);
    const y = new Float64Array(n);
    const rowEpisode = new Int32Array(n);
    for (let e = 0; e < count; e++) {
      for (let i = 0; i < per; i++) {
        const r = e * per + i;
        X[r] = 20 * rnd() - 10;
        y[r] = flatLast && e === count - 1 ? 500 : 500 + 20 * (X[r]) + noise * gauss();
        rowEpisode[r] = e;
      }
    }
    // Episode e ends at e·1000: the last one is the latest-ending, so it is the validation set.
    const episodes = Array.from({ length: count }, (_, e) => ({ asset: 'a', start: e * 1000 - 900, end: e * 1000 }));
    return { design: { X, y, p: 1, rowEpisode }, episodes, n };
  }

  it('scores every alpha of the grid on the latest-ending episodes and returns lambda = alpha·n', () => {
    const { design, episodes, n } = episodesData(5, false, 30);
    const c = chooseLambda(design, episodes, { horizonS: H });
    expect(c.method).toBe('validation');
    expect(c.scores.map((s) => s.alpha)).toEqual([...RIDGE_ALPHA_GRID]);
    expect(c.nValidation).toBe(40); // round(0.2 × 5) = 1 episode of 40 rows
    expect(c.nFit).toBe(160);
    const best = Math.min(...c.scores.map((s) => s.rmse));
    expect(c.scores.find((s) => s.alpha === c.alpha)?.rmse).toBe(best);
    expect(c.lambda).toBeCloseTo(c.alpha * n, 9);
  });

  it('prefers little shrinkage when the validation episodes follow the training relation', () => {
    const { design, episodes } = episodesData(5, false, 0);
    expect(chooseLambda(design, episodes, { horizonS: H }).alpha).toBe(RIDGE_ALPHA_GRID[0]);
  });

  it('prefers the strongest shrinkage when the latest episode has constant labels (it validates on that one)', () => {
    const { design, episodes } = episodesData(5, true, 0);
    expect(chooseLambda(design, episodes, { horizonS: H }).alpha).toBe(RIDGE_ALPHA_GRID[RIDGE_ALPHA_GRID.length - 1]);
  });

  it('falls back to the default alpha with a single training episode', () => {
    const { design, episodes } = episodesData(1, false, 1);
    const c = chooseLambda(design, episodes, { horizonS: H });
    expect(c.method).toBe('default');
    expect(c.reason).toMatch(/need 2/);
    expect(c.lambda).toBeCloseTo(c.alpha * 40, 12);
  });

  it('refuses rows whose episode is not listed and an empty grid', () => {
    const { design, episodes } = episodesData(3, false, 1);
    expect(() => chooseLambda(design, episodes.slice(0, 2), { horizonS: H })).toThrow(/episode 2/);
    expect(() => chooseLambda(design, episodes, { horizonS: H, alphas: [] })).toThrow(/empty/);
  });
});
