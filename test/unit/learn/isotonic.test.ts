// Isotonic calibration against a plainly written quadratic-time pool-adjacent-violators, plus
// monotonicity, thinning and the edge cases (REPORT.md 2.4).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { calibrate, fitIsotonic, fitWeightedIsotonic, MAX_ISOTONIC_KNOTS } from '../../../src/learn/isotonic.js';

/**
 * The reference: sort, pool equal scores, then repeatedly merge the first adjacent pair of blocks
 * whose means decrease until none does. Returns the fitted map by interpolating its blocks' ends.
 */
function referenceIsotonic(scores: number[], labels: number[]): (s: number) => number {
  const pairs = scores.map((s, i) => [s, labels[i] as number] as const).sort((a, b) => a[0] - b[0]);
  let blocks: Array<{ lo: number; hi: number; sum: number; n: number }> = [];
  for (const [s, v] of pairs) {
    const last = blocks.at(-1);
    if (last && last.hi === s) {
      last.sum += v;
      last.n++;
    } else blocks.push({ lo: s, hi: s, sum: v, n: 1 });
  }
  for (;;) {
    const i = blocks.findIndex((b, k) => k + 1 < blocks.length && b.sum / b.n > blocks[k + 1]!.sum / blocks[k + 1]!.n);
    if (i < 0) break;
    const [a, b] = [blocks[i]!, blocks[i + 1]!];
    blocks = [...blocks.slice(0, i), { lo: a.lo, hi: b.hi, sum: a.sum + b.sum, n: a.n + b.n }, ...blocks.slice(i + 2)];
  }
  const knots = blocks.flatMap((b) => [
    [b.lo, b.sum / b.n],
    [b.hi, b.sum / b.n],
  ]);
  return (s) => {
    if (s <= knots[0]![0]!) return knots[0]![1]!;
    for (let k = 1; k < knots.length; k++) {
      const [x1, y1] = knots[k] as [number, number];
      const [x0, y0] = knots[k - 1] as [number, number];
      if (s <= x1) return x1 === x0 ? y1 : y0 + ((y1 - y0) * (s - x0)) / (x1 - x0);
    }
    return knots.at(-1)![1]!;
  };
}

/** The scores themselves, the midpoints between neighbours, and points beyond both ends. */
function probes(scores: number[]): number[] {
  const u = [...new Set(scores)].sort((a, b) => a - b);
  return [...u, ...u.slice(1).map((s, i) => (s + (u[i] as number)) / 2), (u[0] as number) - 1, (u.at(-1) as number) + 1];
}

describe('fitIsotonic', () => {
  it('equals a quadratic-time pool-adjacent-violators everywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -20, max: 20 }), fc.double({ min: -100, max: 100, noNaN: true })), { minLength: 1, maxLength: 60 }),
        (pairs) => {
          // Integer scores make ties common; halving keeps them exact.
          const scores = pairs.map(([s]) => s / 2);
          const labels = pairs.map(([, v]) => v);
          const fit = fitIsotonic(scores, labels);
          const ref = referenceIsotonic(scores, labels);
          for (const s of probes(scores)) expect(Math.abs(calibrate(fit, s) - ref(s))).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(ref(s))));
        },
      ),
      { seed: 5, numRuns: 300 },
    );
  });

  it('has strictly increasing knot scores and non-decreasing values, so its map never decreases (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 125, noNaN: true })), { minLength: 1, maxLength: 200 }), (pairs) => {
        const fit = fitIsotonic(
          pairs.map(([s]) => s),
          pairs.map(([, v]) => v),
        );
        fit.x.forEach((s, k) => k > 0 && expect(s).toBeGreaterThan(fit.x[k - 1] as number));
        fit.y.forEach((v, k) => k > 0 && expect(v).toBeGreaterThanOrEqual(fit.y[k - 1] as number));
        const grid = Array.from({ length: 101 }, (_, i) => -1100 + 22 * i);
        grid.forEach((s, i) => i > 0 && expect(calibrate(fit, s)).toBeGreaterThanOrEqual(calibrate(fit, grid[i - 1] as number)));
      }),
      { seed: 6, numRuns: 200 },
    );
  });

  it('gives one knot for one pair, and that value everywhere', () => {
    const fit = fitIsotonic([3], [42]);
    expect(fit).toEqual({ x: [3], y: [42], pairs: 1, fittedKnots: 1 });
    expect([calibrate(fit, -1e9), calibrate(fit, 3), calibrate(fit, 1e9)]).toEqual([42, 42, 42]);
  });

  it('pools equal scores first: all scores equal give their mean', () => {
    const fit = fitIsotonic([5, 5, 5, 5], [1, 2, 3, 10]);
    expect(fit.x).toEqual([5]);
    expect(fit.y).toEqual([4]);
  });

  it('keeps every pair of already increasing data as a knot', () => {
    const fit = fitIsotonic([4, 1, 3, 2], [40, 10, 30, 20]);
    expect(fit.x).toEqual([1, 2, 3, 4]);
    expect(fit.y).toEqual([10, 20, 30, 40]);
    expect(calibrate(fit, 2.25)).toBe(22.5);
  });

  it('pools reversed data into one block with knots at its ends', () => {
    const fit = fitIsotonic([1, 2, 3, 4], [40, 30, 20, 10]);
    expect(fit.x).toEqual([1, 4]);
    expect(fit.y).toEqual([25, 25]);
  });

  it('pools a violator with its neighbour: (1, 10), (2, 30), (3, 20) gives 10, then 25 from 2 to 3', () => {
    const fit = fitIsotonic([1, 2, 3], [10, 30, 20]);
    expect(fit.x).toEqual([1, 2, 3]);
    expect(fit.y).toEqual([10, 25, 25]);
    expect(calibrate(fit, 1.5)).toBe(17.5);
  });

  it('thins beyond maxKnots to evenly spaced knots, ends kept, still monotone and close', () => {
    const n = 5000;
    const scores = Array.from({ length: n }, (_, i) => i / 10);
    const labels = scores.map((s) => 125 * (1 - Math.exp(-s / 100)) + (s % 0.7)); // mostly increasing
    const full = fitIsotonic(scores, labels, n * 2);
    const thin = fitIsotonic(scores, labels);
    expect(full.x.length).toBeGreaterThan(MAX_ISOTONIC_KNOTS);
    expect(thin.x).toHaveLength(MAX_ISOTONIC_KNOTS);
    expect(thin.fittedKnots).toBe(full.x.length);
    expect([thin.x[0], thin.x.at(-1)]).toEqual([full.x[0], full.x.at(-1)]);
    thin.y.forEach((v, k) => k > 0 && expect(v).toBeGreaterThanOrEqual(thin.y[k - 1] as number));
    for (const s of scores) expect(Math.abs(calibrate(thin, s) - calibrate(full, s))).toBeLessThan(1);
    expect(fitIsotonic(scores, labels, 2).x).toEqual([full.x[0], full.x.at(-1)]);
  });

  it('refuses mismatched lengths, no pairs, non-finite pairs and fewer than 2 knots', () => {
    expect(() => fitIsotonic([1, 2], [1])).toThrow(/2 scores but 1 labels/);
    expect(() => fitIsotonic([], [])).toThrow(/no pairs/);
    expect(() => fitIsotonic([1, NaN], [1, 2])).toThrow(/pair 1/);
    expect(() => fitIsotonic([1], [Infinity])).toThrow(/pair 0/);
    expect(() => fitIsotonic([1], [1], 1)).toThrow(/maxKnots/);
  });

  it('is plain JSON', () => {
    const fit = fitIsotonic([1, 2, 3, 4, 5], [3, 1, 4, 1, 5]);
    const stored = JSON.parse(JSON.stringify(fit)) as typeof fit;
    expect(stored).toEqual(fit);
    expect(calibrate(stored, 3.3)).toBe(calibrate(fit, 3.3));
  });
});

describe('calibrate', () => {
  it('is NaN for a NaN score and constant beyond the end knots', () => {
    const fit = fitIsotonic([0, 10], [0, 100]);
    expect(calibrate(fit, NaN)).toBeNaN();
    expect(calibrate(fit, -5)).toBe(0);
    expect(calibrate(fit, 15)).toBe(100);
    expect(calibrate(fit, 2.5)).toBe(25);
  });
});

describe('fitWeightedIsotonic', () => {
  it('fits a pair of weight k as k equal pairs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 40 }),
        (pairs) => {
          const weighted = fitWeightedIsotonic(pairs.map((p) => p[0]), pairs.map((p) => p[1]), pairs.map((p) => p[2]));
          const repeated = pairs.flatMap(([s, v, w]) => Array.from({ length: w }, () => [s, v] as const));
          const plain = fitIsotonic(repeated.map((p) => p[0]), repeated.map((p) => p[1]));
          expect(weighted.pairs).toBe(repeated.length);
          for (const s of [-60, ...pairs.map((p) => p[0]), 0.5, 60]) expect(calibrate(weighted, s)).toBeCloseTo(calibrate(plain, s), 9);
        },
      ),
      { seed: 72026, numRuns: 300 },
    );
  });

  it('refuses a weight that is not above 0', () => {
    expect(() => fitWeightedIsotonic([1, 2], [3, 4], [1, 0])).toThrow(/pair 1 has a weight/);
  });
});
