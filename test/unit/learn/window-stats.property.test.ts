// Property test: windowStats (window statistics, the recipe of earlier releases) agrees with a plain
// re-implementation, gaps and point counts included.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { windowStats, type WindowStats } from '../../../src/learn/window-stats.js';
import { seriesOf, type Point } from '../../helpers/series.js';


const T0 = 1_764_320_000_000;

/** A window W and a max gap (a share of W), then readings a few to W/4 apart so most windows are valid. */
const arbWindow = fc.tuple(fc.integer({ min: 1000, max: 60_000 }), fc.double({ min: 0.1, max: 1, noNaN: true }));

/** Readings at epoch-ms times with values of several shapes (noise, large offset, steps, constant runs). */
function arbSeries(w: number): fc.Arbitrary<Point[]> {
  const len = 150;
  return fc
    .tuple(
      fc.array(fc.integer({ min: 1, max: Math.ceil(w / 4) }), { maxLength: len, size: 'large' }),
      fc.oneof(
        // Subnormal values are mapped to 0: they are not readings and only test denormal arithmetic.
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }).map((v) => (Math.abs(v) < 1e-100 ? 0 : v)), { minLength: len, maxLength: len }),
        fc.array(fc.integer({ min: -50, max: 50 }).map((k) => 1e6 + k * 1e-3), { minLength: len, maxLength: len }),
        fc.array(fc.integer({ min: 0, max: 2 }).map((k) => k * 1e4), { minLength: len, maxLength: len }),
        fc.array(fc.constantFrom(518.67, 518.67, 518.67, 1e9), { minLength: len, maxLength: len }),
      ),
      fc.integer({ min: 0, max: 1_000_000 }),
    )
    .map(([steps, values, offset]) => {
      let ts = T0 + offset;
      return steps.map((dt, i) => ({ ts: (ts += dt), value: values[i] as number }));
    });
}

/** Sample times: most reading times and some times in between, sorted and distinct. */
function arbTimes(points: Point[]): fc.Arbitrary<number[]> {
  const first = points[0]?.ts ?? T0;
  const last = points[points.length - 1]?.ts ?? T0;
  return fc
    .tuple(fc.subarray(points.map((p) => p.ts)), fc.array(fc.integer({ min: first - 5000, max: last + 5000 }), { maxLength: 30 }))
    .map(([a, b]) => [...new Set([...a, ...b])].sort((x, y) => x - y));
}

const arbCase = arbWindow.chain(([w, gapShare]) =>
  arbSeries(w).chain((points) => fc.tuple(fc.constant(points), arbTimes(points), fc.constant(w), fc.constant(w * gapShare))),
);

/** A plain definition of the statistics, written independently of src. */
function naive(points: Point[], t: number, w: number, maxGap: number): WindowStats | null {
  const inWin = points.filter((p) => p.ts > t - w && p.ts <= t);
  if (inWin.length < 2) return null;
  const edges = [t - w, ...inWin.map((p) => p.ts), t];
  for (let i = 1; i < edges.length; i++) if ((edges[i] as number) - (edges[i - 1] as number) > maxGap) return null;
  const n = inWin.length;
  const v0 = (inWin[0] as Point).value;
  const secs = inWin.map((p) => (p.ts - t) / 1000);
  const vals = inWin.map((p) => p.value - v0);
  const mt = secs.reduce((a, b) => a + b, 0) / n;
  const mv = vals.reduce((a, b) => a + b, 0) / n;
  const cov = secs.reduce((a, s, i) => a + (s - mt) * ((vals[i] as number) - mv), 0);
  const vt = secs.reduce((a, s) => a + (s - mt) ** 2, 0);
  const vv = vals.reduce((a, v) => a + (v - mv) ** 2, 0);
  return {
    n,
    mean: v0 + mv,
    std: Math.sqrt(vv / n),
    min: Math.min(...inWin.map((p) => p.value)),
    max: Math.max(...inWin.map((p) => p.value)),
    slope: cov / vt,
    last: (inWin[n - 1] as Point).value,
  };
}

/**
 * |a − b| within 1e-9 of the window's natural scale: the larger of the values and the
 * value range in the window (for slope: that range per standard deviation of time).
 */
function expectClose(a: number, b: number, scale: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(a), Math.abs(b), scale));
}

function expectSameStats(got: WindowStats, want: WindowStats, points: Point[], t: number, w: number): void {
  const inWin = points.filter((p) => p.ts > t - w && p.ts <= t);
  const range = Math.max(...inWin.map((p) => p.value)) - Math.min(...inWin.map((p) => p.value));
  const secs = inWin.map((p) => p.ts / 1000);
  const mt = secs.reduce((a, b) => a + b, 0) / secs.length;
  const sdT = Math.sqrt(secs.reduce((a, s) => a + (s - mt) ** 2, 0) / secs.length);
  expect(got.min).toBe(want.min);
  expect(got.max).toBe(want.max);
  expect(got.last).toBe(want.last);
  expectClose(got.mean, want.mean, range);
  expectClose(got.std, want.std, range);
  expectClose(got.slope, want.slope, range / sdT);
}

describe('window statistics (properties)', () => {
  it('windowStats matches a plain definition, gaps and point counts included', () => {
    fc.assert(
      fc.property(arbCase, ([points, times, w, maxGap]) => {
        for (const t of times) {
          const got = windowStats(seriesOf(points), t, w, maxGap);
          const want = naive(points, t, w, maxGap);
          expect(got === null).toBe(want === null);
          if (got !== null && want !== null) {
            expect(got.n).toBe(want.n);
            expectSameStats(got, want, points, t, w);
          }
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
