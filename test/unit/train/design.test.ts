// Packing the training design in place (no second copy of the big matrix) and the promotion gate.
import { describe, expect, it } from 'vitest';
import { takeRows } from '../../../src/learn/dataset.js';
import type { Metrics } from '../../../src/learn/metrics.js';
import { completeRows, packRowsInPlace } from '../../../src/train/design.js';
import { gate } from '../../../src/train/evaluate.js';
import { mulberry32 } from '../../../src/demo/random.js';

function source(n: number, p: number, seed: number) {
  const rnd = mulberry32(seed);
  const X = Float64Array.from({ length: n * p }, () => (rnd() < 0.1 ? NaN : rnd() * 100));
  const y = Float64Array.from({ length: n }, () => rnd() * 7200);
  const rowEpisode = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 7));
  return { X, y, p, featureNames: Array.from({ length: p }, (_, j) => `s${j}_mean`), rowEpisode };
}

describe('packRowsInPlace', () => {
  it.each([
    [[0, 1, 2, 3, 4, 5]],
    [[1, 3, 4]],
    [[0, 5]],
    [[]],
  ])('gives the design takeRows gives, for columns %j, without allocating a second matrix', (columns) => {
    const ds = source(50, 6, 3);
    const rows = completeRows(ds, Int32Array.from({ length: 40 }, (_, i) => i + 5), columns);
    const expected = takeRows({ ...ds, X: Float64Array.from(ds.X) }, rows, columns);
    const packed = packRowsInPlace(ds, rows, columns);
    expect(packed.X.buffer).toBe(ds.X.buffer);
    expect(Array.from(packed.X)).toEqual(Array.from(expected.X));
    expect(Array.from(packed.y)).toEqual(Array.from(expected.y));
    expect(Array.from(packed.rowEpisode)).toEqual(Array.from(expected.rowEpisode));
    expect(packed.featureNames).toEqual(expected.featureNames);
    expect(packed.n).toBe(expected.n);
  });

  it('refuses rows or columns out of order (the in-place copy relies on it)', () => {
    expect(() => packRowsInPlace(source(10, 3, 1), Int32Array.from([3, 2]), [0])).toThrow(RangeError);
    expect(() => packRowsInPlace(source(10, 3, 1), Int32Array.from([2, 3]), [1, 0])).toThrow(RangeError);
  });
});

describe('completeRows', () => {
  it('keeps, in order, the rows with a value in every given column', () => {
    const ds = { X: Float64Array.from([1, NaN, 2, 3, NaN, 4]), y: new Float64Array(3), p: 2, featureNames: ['a', 'b'], rowEpisode: new Int32Array(3) };
    expect(Array.from(completeRows(ds, [0, 1, 2], [0, 1]))).toEqual([1]);
    expect(Array.from(completeRows(ds, [2, 1, 0], [0]))).toEqual([1, 0]);
    expect(Array.from(completeRows(ds, [0, 1, 2], []))).toEqual([0, 1, 2]);
  });
});

describe('the promotion gate', () => {
  const m = (rmse: number, n = 100): Metrics => ({ n, mse: rmse * rmse, rmse, mae: rmse, r2: 0.5 });
  const champion = (theirs: number, ours: number) => ({ version: '6', metrics: m(theirs), challenger: m(ours), unscored: 0 });

  it('promotes when there is no champion', () => {
    expect(gate(null, null, m(900))).toEqual({ promoted: true, promotion: 'promoted: no champion yet (test RMSE 900.0 s)' });
  });

  it('promotes only on a strictly lower RMSE on the same samples', () => {
    expect(gate('6', champion(800, 799.9), m(1000))).toEqual({ promoted: true, promotion: "promoted: test RMSE 799.9 s < champion 6's 800.0 s on the same 100 test samples" });
    expect(gate('6', champion(800, 800), m(1)).promoted).toBe(false);
    expect(gate('6', champion(800, 812.5), m(1)).promotion).toBe("rejected: test RMSE 812.5 s is not below champion 6's 800.0 s on the same 100 test samples");
  });

  it('promotes when the champion could not score any test sample', () => {
    expect(gate('6', null, m(900))).toEqual({ promoted: true, promotion: 'promoted: champion 6 could not score any test sample' });
  });
});
