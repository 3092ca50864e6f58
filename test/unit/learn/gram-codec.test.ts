// The packed Gram: exact round trips, the byte layout, and one distinct refusal per kind of
// malformed or hostile statistics, so the fleet can dead-letter them with their reason.
import { describe, expect, it } from 'vitest';
import { GramSum, gramOf, type Gram } from '../../../src/learn/gram.js';
import { GRAM_DEFECTS, GRAM_FORMAT_VERSION, gramByteLength, packGram, unpackGram, type UnpackedGram } from '../../../src/learn/gram-codec.js';
import { episodeRows } from '../../helpers/episode-rows.js';

const data = episodeRows(21, 9);
const episodeGram = (e: number): Gram => {
  const [from, to] = data.episodes[e]!.rows;
  return gramOf(data.X, data.y, data.p, Int32Array.from({ length: to - from }, (_, i) => from + i));
};

function accepted(result: UnpackedGram): Gram {
  if (!('gram' in result)) throw new Error(`refused: ${result.reason}: ${result.detail}`);
  return result.gram;
}

/** The packed bytes of `g` with the float64 at value index i (after the header) set to v, for each [i, v]. */
function withValues(g: Gram, ...changes: Array<[number, number]>): Uint8Array {
  const bytes = packGram(g);
  for (const [i, v] of changes) new DataView(bytes.buffer).setFloat64(16 + 8 * i, v, true);
  return bytes;
}

// Value indices in the layout: shiftY, sy, syy, shift[p], sx[p], sxy[p], then the sxx upper triangle.
const P = data.p;
const SY = 1;
const SHIFT = 3;
const SX = 3 + P;
const SXX = 3 + 3 * P;
/** Index of sxx[j][k] (j ≤ k) in the upper triangle, row by row. */
const sxxAt = (j: number, k: number): number => SXX + j * P - (j * (j - 1)) / 2 + (k - j);

describe('packGram and unpackGram', () => {
  it('round-trip every value exactly', () => {
    for (let e = 0; e < data.episodes.length; e++) {
      const g = episodeGram(e);
      expect(accepted(unpackGram(packGram(g), P))).toEqual(g);
    }
    const empty = new GramSum(P).toGram();
    expect(accepted(unpackGram(packGram(empty), P))).toEqual(empty);
  });

  it('accept summed and reshifted Grams, which are not exact sums of squares', () => {
    const sum = new GramSum(P);
    for (let e = 0; e < data.episodes.length; e++) sum.addGram(episodeGram(e));
    const total = sum.toGram();
    expect(accepted(unpackGram(packGram(total), P))).toEqual(total);
  });

  it('lay out a little-endian header (version, p, n) and the upper triangle of sxx only', () => {
    const g = episodeGram(0);
    const bytes = packGram(g);
    expect(bytes.length).toBe(gramByteLength(P));
    expect(gramByteLength(121)).toBe(16 + 8 * (3 + 363 + 7381)); // ~62 KB for E1 on FD002
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(0, true), view.getUint32(4, true), view.getFloat64(8, true)]).toEqual([GRAM_FORMAT_VERSION, P, g.n]);
    expect(view.getFloat64(16 + 8 * sxxAt(1, 3), true)).toBe(g.sxx[1 * P + 3]);
    expect(view.getFloat64(16 + 8 * sxxAt(P - 1, P - 1), true)).toBe(g.sxx[P * P - 1]);
  });

  it('read from a view at any byte offset (a Buffer sliced out of a larger one)', () => {
    const g = episodeGram(1);
    const packed = packGram(g);
    const backing = new Uint8Array(packed.length + 5);
    backing.set(packed, 3);
    expect(accepted(unpackGram(backing.subarray(3, 3 + packed.length), P))).toEqual(g);
  });
});

describe('unpackGram refuses', () => {
  const g = episodeGram(2);
  const header = (version: number, p: number, n: number): Uint8Array => {
    const bytes = packGram(g);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, version, true);
    view.setUint32(4, p, true);
    view.setFloat64(8, n, true);
    return bytes;
  };
  const emptyWithSums = packGram({ ...new GramSum(P).toGram(), sy: 3 });
  const cases: Array<[string, Uint8Array, string]> = [
    ['a message shorter than the header', packGram(g).subarray(0, 10), 'truncated'],
    ['another format version', header(2, P, g.n), 'version'],
    ['another width than the recipe', header(GRAM_FORMAT_VERSION, P - 1, g.n), 'dimension'],
    ['a byte too many', Uint8Array.from([...packGram(g), 0]), 'length'],
    ['a missing value', packGram(g).subarray(0, gramByteLength(P) - 8), 'length'],
    ['NaN in sxx', withValues(g, [sxxAt(2, 5), NaN]), 'not_finite'],
    ['Infinity in sy', withValues(g, [SY, Infinity]), 'not_finite'],
    ['a NaN row count', header(GRAM_FORMAT_VERSION, P, NaN), 'not_finite'],
    ['a negative row count', header(GRAM_FORMAT_VERSION, P, -4), 'negative_count'],
    ['a fractional row count', header(GRAM_FORMAT_VERSION, P, 2.5), 'fractional_count'],
    ['n = 0 with sums', emptyWithSums, 'empty_with_sums'],
    ['a shift beyond any feature', withValues(g, [SHIFT + 4, 1e20]), 'magnitude'],
    ['sums far beyond n rows', withValues(g, [sxxAt(0, 0), 1e300], [SX, 0]), 'magnitude'],
    ['a negative variance', withValues(g, [SX + 4, Math.sqrt((g.sxx[4 * P + 4] as number) * g.n) * 1.01]), 'negative_variance'],
    ['a negative diagonal', withValues(g, [sxxAt(3, 3), -1]), 'negative_variance'],
    ['a cross-product no rows can give', withValues(g, [sxxAt(3, 4), 2 * Math.sqrt((g.sxx[3 * P + 3] as number) * (g.sxx[4 * P + 4] as number))]), 'not_a_gram'],
    ['a cross-product with y no rows can give', withValues(g, [SXX - P + 1, 2 * Math.sqrt((g.sxx[P + 1] as number) * g.syy)]), 'not_a_gram'],
  ];

  for (const [what, bytes, reason] of cases) {
    it(`${what}: ${reason}`, () => {
      const result = unpackGram(bytes, P);
      expect('reason' in result && result.reason).toBe(reason);
      expect('detail' in result && result.detail.length).toBeGreaterThan(10);
    });
  }

  it('with one distinct reason per kind of defect, covering every reason', () => {
    expect(new Set(cases.map(([, , reason]) => reason))).toEqual(new Set(GRAM_DEFECTS));
  });

  it('values beyond a tighter bound when the caller sets one', () => {
    expect('gram' in unpackGram(packGram(g), P)).toBe(true);
    const tight = unpackGram(packGram(g), P, { maxAbs: 1e3 }); // age² reaches 1e12
    expect('reason' in tight && tight.reason).toBe('magnitude');
  });
});
