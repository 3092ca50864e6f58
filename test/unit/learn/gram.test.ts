// Gram sufficient statistics against plain two-pass sums: row blocks and chunks, subsets, large offsets, merging in place.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GramSum, gramOf, mergeGrams, reshiftGram, selectGramColumns, type Gram } from '../../../src/learn/gram.js';
import { mulberry32 } from '../../../src/demo/random.js';

/** Means and centred cross-products from a Gram (shift-independent quantities). */
function centred(g: Gram): { mean: number[]; cov: number[]; yMean: number; cxy: number[]; cyy: number } {
  const { p, n } = g;
  const mean = Array.from(g.sx, (s, j) => (g.shift[j] as number) + s / n);
  const cov = Array.from(g.sxx, (v, i) => v - ((g.sx[Math.floor(i / p)] as number) * (g.sx[i % p] as number)) / n);
  const cxy = Array.from(g.sxy, (v, j) => v - ((g.sx[j] as number) * g.sy) / n);
  return { mean, cov, yMean: g.shiftY + g.sy / n, cxy, cyy: g.syy - (g.sy * g.sy) / n };
}

/** The same quantities by two passes over the rows, written plainly. */
function naiveCentred(X: number[][], y: number[]) {
  const n = y.length;
  const p = X[0]?.length ?? 0;
  const mean = Array.from({ length: p }, (_, j) => X.reduce((a, r) => a + (r[j] as number), 0) / n);
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  const cov: number[] = [];
  for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) cov.push(X.reduce((a, r) => a + ((r[j] as number) - (mean[j] as number)) * ((r[k] as number) - (mean[k] as number)), 0));
  const cxy = Array.from({ length: p }, (_, j) => X.reduce((a, r, i) => a + ((r[j] as number) - (mean[j] as number)) * ((y[i] as number) - yMean), 0));
  const cyy = y.reduce((a, v) => a + (v - yMean) ** 2, 0);
  return { mean, cov, yMean, cxy, cyy };
}

function expectAllClose(a: number[], b: number[], tol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - (b[i] as number))).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b[i] as number))));
}

/** The Gram's centred statistics equal the two-pass ones of the rows, to `tol` relative (means to tol / 100). */
function expectSumsOf(g: Gram, X: number[][], y: number[], tol: number): void {
  const got = centred(g);
  const want = naiveCentred(X, y);
  expectAllClose(got.mean, want.mean, tol / 100);
  expectAllClose(got.cov, want.cov, tol);
  expectAllClose(got.cxy, want.cxy, tol);
  expect(Math.abs(got.cyy - want.cyy)).toBeLessThanOrEqual(tol * Math.max(1, want.cyy));
}

function randomTable(seed: number, n: number, p: number, offset = 0): { X: number[][]; y: number[]; flat: Float64Array; yArr: Float64Array } {
  const rnd = mulberry32(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: p }, () => offset + rnd() * 10));
  const y = X.map((r) => r.reduce((a, b) => a + b, 0) + rnd());
  return { X, y, flat: Float64Array.from(X.flat()), yArr: Float64Array.from(y) };
}

describe('gramOf', () => {
  it('matches plain two-pass sums for every row count around the 4-row block', () => {
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13]) {
      const t = randomTable(n, n, 5);
      const g = gramOf(t.flat, t.yArr, 5);
      expect(g.n).toBe(n);
      const got = centred(g);
      const want = naiveCentred(t.X, t.y);
      expectAllClose(got.mean, want.mean, 1e-12);
      expectAllClose(got.cov, want.cov, 1e-10);
      expectAllClose(got.cxy, want.cxy, 1e-10);
      expect(got.cyy).toBeCloseTo(want.cyy, 8);
    }
  });

  it('stores a symmetric sxx', () => {
    const t = randomTable(1, 11, 4);
    const g = gramOf(t.flat, t.yArr, 4);
    for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) expect(g.sxx[j * 4 + k]).toBe(g.sxx[k * 4 + j]);
  });

  it('uses only the given rows', () => {
    const t = randomTable(2, 20, 3);
    const rows = [3, 7, 8, 15, 19];
    const sub = gramOf(Float64Array.from(rows.flatMap((r) => t.X[r] as number[])), Float64Array.from(rows, (r) => t.y[r] as number), 3);
    const picked = gramOf(t.flat, t.yArr, 3, Int32Array.from(rows));
    expect(picked.n).toBe(5);
    expectAllClose(Array.from(picked.sxx), Array.from(sub.sxx), 1e-14);
    expectAllClose(Array.from(picked.sxy), Array.from(sub.sxy), 1e-14);
  });

  it('stays accurate for features with a large offset (shifted sums)', () => {
    const t = randomTable(3, 1000, 2, 1.7e12); // epoch-ms sized feature values, spread of 10
    const got = centred(gramOf(t.flat, t.yArr, 2));
    // The reference removes the offset first (exact: the values are within 2× of it), since
    // a plain two-pass over 1.7e12-sized values is itself only good to ~1e-4.
    const want = naiveCentred(t.X.map((r) => r.map((v) => v - 1.7e12)), t.y);
    expectAllClose(got.cov, want.cov, 1e-9);
    got.mean.forEach((m, j) => expect(Math.abs(m - 1.7e12 - (want.mean[j] as number))).toBeLessThanOrEqual(1e-15 * 1.7e12));
  });

  it('refuses NaN: missing features must be selected away first', () => {
    expect(() => gramOf(new Float64Array([1, NaN, 2, 3]), new Float64Array([1, 2]), 2)).toThrow(/column 1/);
    expect(() => gramOf(new Float64Array([1, 2]), new Float64Array([1, NaN]), 1)).toThrow(/y has/);
  });

  it('is empty for no rows', () => {
    const g = gramOf(new Float64Array(0), new Float64Array(0), 3);
    expect(g.n).toBe(0);
    expect(Array.from(g.sxx)).toEqual(new Array(9).fill(0));
  });
});

describe('mergeGrams and reshiftGram', () => {
  it('merging the Grams of two row sets equals the Gram of their union, whatever the shifts (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (na, nb, p, seed) => {
        const t = randomTable(seed, na + nb, p, 100);
        const a = gramOf(t.flat.subarray(0, na * p), t.yArr.subarray(0, na), p);
        const b = gramOf(t.flat.subarray(na * p), t.yArr.subarray(na), p);
        expectSumsOf(mergeGrams(a, b), t.X, t.y, 1e-8);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('reshifting keeps the centred statistics and moves the shift', () => {
    const t = randomTable(5, 9, 3);
    const g = gramOf(t.flat, t.yArr, 3);
    const moved = reshiftGram(g, new Float64Array([1, -2, 3]), 4);
    expect(Array.from(moved.shift)).toEqual([1, -2, 3]);
    expect(moved.shiftY).toBe(4);
    const a = centred(g);
    const b = centred(moved);
    expectAllClose(b.cov, a.cov, 1e-10);
    expectAllClose(b.cxy, a.cxy, 1e-10);
    expectAllClose(b.mean, a.mean, 1e-12);
    expect(b.cyy).toBeCloseTo(a.cyy, 8);
  });

  it('refuses Grams of different widths and passes an empty side through', () => {
    const t = randomTable(6, 4, 2);
    const g = gramOf(t.flat, t.yArr, 2);
    expect(() => mergeGrams(g, gramOf(new Float64Array(3), new Float64Array(1), 3))).toThrow(RangeError);
    expect(mergeGrams(g, gramOf(new Float64Array(0), new Float64Array(0), 2))).toBe(g);
  });
});

describe('GramSum', () => {
  it('sums rows one at a time like two-pass sums, across block and chunk boundaries (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (n, p, seed) => {
        const t = randomTable(seed, n, p, 600);
        const sum = new GramSum(p);
        t.X.forEach((row, i) => sum.addRow(row, t.y[i] as number));
        expect(sum.n).toBe(n);
        expectSumsOf(sum.toGram(), t.X, t.y, 1e-9);
      }),
      { seed: 7, numRuns: 60 },
    );
  });

  it('takes rows and Grams in any mix, and toGram is a copy that later adds leave alone', () => {
    const t = randomTable(8, 700, 3, 50);
    const sum = new GramSum(3);
    sum.addRows(t.flat, t.yArr, Int32Array.from({ length: 300 }, (_, i) => i));
    const early = sum.toGram();
    const earlySxx = Float64Array.from(early.sxx);
    sum.addGram(gramOf(t.flat.subarray(300 * 3, 500 * 3), t.yArr.subarray(300, 500), 3));
    for (let r = 500; r < 700; r++) sum.addRow(t.flat.subarray(r * 3, r * 3 + 3), t.yArr[r] as number);
    expect(sum.n).toBe(700);
    expect(early.n).toBe(300);
    expect(early.sxx).toEqual(earlySxx);
    expectSumsOf(sum.toGram(), t.X, t.y, 1e-9);
  });

  it('keeps the first added Gram exactly (its shift is adopted) and ignores empty ones', () => {
    const t = randomTable(9, 13, 4, 600);
    const g = gramOf(t.flat, t.yArr, 4);
    const sum = new GramSum(4);
    sum.addGram(new GramSum(4).toGram());
    sum.addGram(g);
    const copy = sum.toGram();
    expect(copy).toEqual(g);
    expect(copy.sxx).not.toBe(g.sxx);
  });

  it('equals mergeGrams when adding Grams one after another', () => {
    const parts = [11, 12, 13].map((seed) => randomTable(seed, 20, 3, 100));
    const grams = parts.map((t) => gramOf(t.flat, t.yArr, 3));
    const sum = new GramSum(3);
    grams.forEach((g) => sum.addGram(g));
    const viaMerge = grams.slice(1).reduce((a, b) => mergeGrams(a, b), grams[0] as Gram);
    const got = sum.toGram();
    expectAllClose(Array.from(got.sxx), Array.from(viaMerge.sxx), 1e-13);
    expectAllClose(Array.from(got.sxy), Array.from(viaMerge.sxy), 1e-13);
    expect(got.shift).toEqual(viaMerge.shift);
  });

  it('refuses a Gram of another width, a bad p, and NaN rows when asked for the sums', () => {
    expect(() => new GramSum(2).addGram(gramOf(new Float64Array(3), new Float64Array(1), 3))).toThrow(/3 features to one of 2/);
    expect(() => new GramSum(-1)).toThrow(RangeError);
    expect(() => new GramSum(1.5)).toThrow(RangeError);
    const sum = new GramSum(2);
    sum.addRow([1, 2], 3);
    sum.addRow([NaN, 2], 3);
    expect(() => sum.toGram()).toThrow(/column 0/);
  });
});

describe('selectGramColumns', () => {
  it('equals the Gram of the chosen columns, in the order chosen', () => {
    const t = randomTable(10, 300, 5, 600);
    const full = gramOf(t.flat, t.yArr, 5);
    const columnsOf = (cols: number[]): Float64Array => Float64Array.from(t.X.flatMap((r) => cols.map((c) => r[c] as number)));
    expect(selectGramColumns(full, [0, 2, 4])).toEqual(gramOf(columnsOf([0, 2, 4]), t.yArr, 3));
    const reordered = selectGramColumns(full, [4, 0, 2]);
    const want = gramOf(columnsOf([4, 0, 2]), t.yArr, 3);
    expect(reordered.shift).toEqual(want.shift);
    expectAllClose(Array.from(reordered.sxx), Array.from(want.sxx), 1e-13);
    expectAllClose(Array.from(reordered.sxy), Array.from(want.sxy), 1e-13);
  });

  it('refuses a column that is not there', () => {
    const g = gramOf(new Float64Array([1, 2, 3, 4]), new Float64Array([1, 2]), 2);
    expect(() => selectGramColumns(g, [0, 2])).toThrow(/no column 2/);
    expect(() => selectGramColumns(g, [-1])).toThrow(RangeError);
  });
});
