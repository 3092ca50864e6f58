// Issue 15's "done when": the same ridge from rows, from summed per-episode statistics and from
// sums of sums, and SSE, MSE and R² from sums equal to those from rows, at realistic scales.
import { describe, expect, it } from 'vitest';
import { GramSum, gramOf, type Gram } from '../../../src/learn/gram.js';
import { packGram, unpackGram } from '../../../src/learn/gram-codec.js';
import { metricsFromGram } from '../../../src/learn/gram-metrics.js';
import { metrics } from '../../../src/learn/metrics.js';
import { chooseLambda, chooseLambdaFromSums, fitRidge, predictRows, RIDGE_ALPHA_GRID } from '../../../src/learn/ridge.js';
import { rowsOf } from '../../../src/learn/split.js';
import { episodeRows, HORIZON_S, type EpisodeRows } from '../../helpers/episode-rows.js';

function expectRel(got: number, want: number, tol: number, what: string): void {
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(tol * Math.abs(want));
}

/** Each episode's Gram, streamed row by row as a training pass would, stored and read back as bytes. */
function episodeGrams(d: EpisodeRows): Gram[] {
  return d.episodes.map(({ rows: [from, to] }) => {
    const sum = new GramSum(d.p);
    for (let r = from; r < to; r++) sum.addRow(d.X.subarray(r * d.p, (r + 1) * d.p), d.y[r] as number);
    const stored = unpackGram(packGram(sum.toGram()), d.p);
    if (!('gram' in stored)) throw new Error(`unpack refused an episode: ${stored.detail}`);
    return stored.gram;
  });
}

function total(grams: readonly Gram[], p: number): Gram {
  const sum = new GramSum(p);
  for (const g of grams) sum.addGram(g);
  return sum.toGram();
}

describe('a ridge fit from sums', () => {
  const d = episodeRows(11, 30);
  const grams = episodeGrams(d);
  const fromRows = gramOf(d.X, d.y, d.p);
  const fromEpisodes = total(grams, d.p);
  const groups = [0, 1, 2].map((k) => total(grams.filter((_, e) => e % 3 === k), d.p));
  const fromGroups = total(groups, d.p);

  it('sums the same rows every way', () => {
    expect(fromEpisodes.n).toBe(d.y.length);
    expect(fromGroups.n).toBe(d.y.length);
    expect(groups.map((g) => g.n).reduce((a, b) => a + b)).toBe(d.y.length);
  });

  // "Agree to 1e-9 relative" is taken for the coefficient vector: every coefficient within 1e-9
  // of the largest (standardized, so units do not matter). Per coefficient it cannot hold for one
  // near zero: x and x² of x ≈ 600 ± 0.5 correlate at 1 − 1e-7, the standardized system's
  // condition number reaches ~1e5, and float64 rounding in any Gram moves such a coefficient by
  // ~1e-12 of the largest; exact rational arithmetic shows one pass over the rows is no nearer the
  // exact fit than the sums. Over 40 seeds the worst vector agreement was 3e-11.
  for (const alpha of [1e-4, 1e-2, 1]) {
    it(`gives the same model from rows, from episode sums and from sums of three groups (alpha ${alpha})`, () => {
      const lambda = alpha * d.y.length;
      const want = fitRidge(fromRows, lambda, d.featureNames);
      const wantPred = predictRows(want, d.X);
      const scale = Math.max(...want.coefStd.map(Math.abs));
      for (const got of [fitRidge(fromEpisodes, lambda, d.featureNames), fitRidge(fromGroups, lambda, d.featureNames)]) {
        got.coefStd.forEach((c, j) => expect(Math.abs(c - (want.coefStd[j] as number)), want.featureNames[j]).toBeLessThanOrEqual(1e-9 * scale));
        expectRel(got.interceptStd, want.interceptStd, 1e-12, 'interceptStd');
        expectRel(got.intercept, want.intercept, 1e-9, 'intercept');
        predictRows(got, d.X).forEach((v, i) => expect(Math.abs(v - (wantPred[i] as number))).toBeLessThanOrEqual(1e-9 * HORIZON_S));
      }
    });
  }

  it('is not vacuous: the features carry the label, and alpha changes the fit', () => {
    const m = fitRidge(fromRows, 1e-4 * d.y.length);
    expect(metricsFromGram(fromRows, m).r2).toBeGreaterThan(0.8);
    expect(Math.abs((fitRidge(fromRows, d.y.length).coefStd[0] as number) - (m.coefStd[0] as number))).toBeGreaterThan(1e3);
  });
});

describe('metrics from sums', () => {
  const d = episodeRows(12, 24);
  const grams = episodeGrams(d);
  const train = d.episodes.slice(0, 18);
  const test = d.episodes.slice(18);
  const testRows = rowsOf(test);
  const testGram = total(grams.slice(18), d.p);
  const yTest = Float64Array.from(testRows, (r) => d.y[r] as number);

  for (const alpha of [1e-4, 1]) {
    it(`equal the row computation on held-out episodes (alpha ${alpha})`, () => {
      const model = fitRidge(gramOf(d.X, d.y, d.p, rowsOf(train)), alpha * d.y.length);
      const want = metrics(yTest, predictRows(model, d.X, testRows));
      const got = metricsFromGram(testGram, model);
      expect(got.n).toBe(want.n);
      expectRel(got.sse, want.mse * want.n, 1e-9, 'sse');
      expectRel(got.mse, want.mse, 1e-9, 'mse');
      expectRel(got.rmse, want.rmse, 1e-9, 'rmse');
      expectRel(got.r2, want.r2, 1e-9, 'r2');
    });
  }

  it('equal the row computation for a model given only as intercept and coefficients', () => {
    // A model without a centre: the sums are expanded around the prediction at the Gram's shift.
    const model = { intercept: 2e5, coef: [-0.3, 100, 1e-7, 50, -20, 10, 5, -0.04, 0.015, -0.008, -0.003] };
    const pred = Float64Array.from(testRows, (r) => model.intercept + model.coef.reduce((a, c, j) => a + c * (d.X[r * d.p + j] as number), 0));
    const want = metrics(yTest, pred);
    const got = metricsFromGram(testGram, model);
    expectRel(got.mse, want.mse, 1e-9, 'mse');
    expectRel(got.r2, want.r2, 1e-9, 'r2');
  });
});

describe('chooseLambdaFromSums', () => {
  const d = episodeRows(13, 20);
  const grams = episodeGrams(d);
  const fit = total(grams.slice(0, 16), d.p);
  const validation = total(grams.slice(16), d.p);
  const valRows = rowsOf(d.episodes.slice(16));

  it('scores every alpha of the grid by the unclipped validation RMSE the rows give', () => {
    const c = chooseLambdaFromSums(fit, validation);
    expect(c.method).toBe('validation');
    expect(c.scores.map((s) => s.alpha)).toEqual([...RIDGE_ALPHA_GRID]);
    expect(c.nFit).toBe(fit.n);
    expect(c.nValidation).toBe(validation.n);
    c.scores.forEach((s) => {
      const model = fitRidge(fit, s.alpha * fit.n);
      const want = metrics(Float64Array.from(valRows, (r) => d.y[r] as number), predictRows(model, d.X, valRows)).rmse;
      expectRel(s.rmse, want, 1e-9, `rmse at alpha ${s.alpha}`);
      expect(s.lambda).toBe(s.alpha * fit.n);
    });
    expect(c.scores.find((s) => s.alpha === c.alpha)?.rmse).toBe(Math.min(...c.scores.map((s) => s.rmse)));
    expect(c.lambda).toBe(c.alpha * (fit.n + validation.n));
    expect(c.reason).toMatch(/unclipped, from sums/);
  });

  it('picks what chooseLambda picks from the rows when nothing needs clipping', () => {
    const rowEpisode = new Int32Array(d.y.length);
    d.episodes.forEach(({ rows: [from, to] }, e) => rowEpisode.fill(e, from, to));
    const timing = d.episodes.map((e) => ({ asset: 'a', start: 0, end: e.end }));
    const rows = chooseLambda({ X: d.X, y: d.y, p: d.p, rowEpisode }, timing, { horizonS: 1e12, validationFraction: 0.2 });
    expect(rows.nValidation).toBe(validation.n);
    expect(chooseLambdaFromSums(fit, validation).alpha).toBe(rows.alpha);
  });

  it('gives ties to the larger alpha: a fit with only constant features scores every alpha the same', () => {
    const constant = (n: number, y0: number): Gram => gramOf(new Float64Array(n * 2).fill(3), Float64Array.from({ length: n }, (_, i) => y0 + i), 2);
    const c = chooseLambdaFromSums(constant(10, 0), constant(5, 20));
    expect(new Set(c.scores.map((s) => s.rmse)).size).toBe(1);
    expect(c.alpha).toBe(RIDGE_ALPHA_GRID[RIDGE_ALPHA_GRID.length - 1]);
  });

  it('falls back to the default alpha without rows to fit or to validate, and refuses an empty grid', () => {
    const empty = new GramSum(d.p).toGram();
    expect(chooseLambdaFromSums(empty, validation)).toMatchObject({ method: 'default', lambda: 1e-2 * validation.n });
    expect(chooseLambdaFromSums(fit, empty)).toMatchObject({ method: 'default', nValidation: 0 });
    expect(() => chooseLambdaFromSums(fit, validation, [])).toThrow(/empty/);
  });
});
