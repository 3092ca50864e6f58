// Per-regime sensor scaling against means and stds computed plainly in the test, the constant
// rule, and the fallback for a regime without readings (REPORT.md 2.2).
import { describe, expect, it } from 'vitest';
import { RegimeScalingSums, scaleReading, type RegimeScaling } from '../../../src/learn/regime-scaling.js';
import { mulberry32, normal } from '../../../src/demo/random.js';

/** Two-pass mean and population std. */
function plain(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) };
}

describe('RegimeScalingSums', () => {
  // Three regimes; sensor "t" sits at 600 + 40·r with spread 0.5 (its offset moves with the regime,
  // as a temperature does with load), "p" at 1e5 + r with spread 1 (Σx² − n·x̄² would lose ten
  // digits of its variance), "c" is constant in regime 0 only.
  const rnd = mulberry32(1);
  const gauss = normal(rnd);
  const readings: Array<{ r: number; t: number; p: number; c: number }> = [];
  for (let i = 0; i < 9000; i++) {
    const r = Math.floor(rnd() * 3);
    readings.push({ r, t: 600 + 40 * r + 0.5 * gauss(), p: 1e5 + r + gauss(), c: r === 0 ? 5 : 5 + gauss() });
  }
  const sums = new RegimeScalingSums(3, ['t', 'p', 'c']);
  for (const x of readings) sums.addRow(x.r, [x.t, x.p, x.c]);
  const scaling = sums.finish();

  it('gives each regime its own mean and population std, as two passes do', () => {
    for (let r = 0; r < 3; r++) {
      const inR = readings.filter((x) => x.r === r);
      (['t', 'p'] as const).forEach((name, j) => {
        const want = plain(inR.map((x) => x[name]));
        expect(Math.abs((scaling.mean[r]![j] as number) - want.mean)).toBeLessThanOrEqual(1e-12 * Math.abs(want.mean));
        expect(Math.abs((scaling.std[r]![j] as number) - want.std)).toBeLessThanOrEqual(1e-10 * want.std);
      });
      expect(scaling.count[r]![0]).toBe(inR.length);
    }
  });

  it('scales a reading by its regime: z = (x − M[r,j]) / S[r,j]', () => {
    const x = readings[10]!;
    const want = (x.t - (scaling.mean[x.r]![0] as number)) / (scaling.std[x.r]![0] as number);
    expect(scaleReading(scaling, x.r, 0, x.t)).toBe(want);
    // The regime's offset is gone: regime 2's typical reading scales to about 0, not to +160/std.
    expect(Math.abs(scaleReading(scaling, 2, 0, 680))).toBeLessThan(0.1);
    expect(() => scaleReading(scaling, 3, 0, 1)).toThrow(RangeError);
  });

  it('takes std 1 where a sensor is constant in a regime, and keeps it if it varies elsewhere', () => {
    expect(scaling.std[0]![2]).toBe(1);
    expect(scaling.mean[0]![2]).toBe(5);
    expect(scaleReading(scaling, 0, 2, 5)).toBe(0);
    expect(scaling.std[1]![2]).toBeGreaterThan(0.9);
    expect(scaling.kept).toEqual([true, true, true]);
  });

  it('does not keep a sensor that is constant in every regime', () => {
    const s = new RegimeScalingSums(2, ['flat', 'moves']);
    for (let i = 0; i < 10; i++) s.addRow(i % 2, [3 + 1e-9 * i, i]);
    const out = s.finish();
    expect(out.kept).toEqual([false, true]);
    expect(out.std.map((row) => row[0])).toEqual([1, 1]);
  });

  it('lets a regime without readings of a sensor use the sensor pooled over all regimes', () => {
    const s = new RegimeScalingSums(3, ['a']);
    [1, 2, 3].forEach((v) => s.add(0, 0, v));
    [11, 12, 13].forEach((v) => s.add(1, 0, v));
    const out = s.finish();
    const pooled = plain([1, 2, 3, 11, 12, 13]);
    expect(out.count[2]).toEqual([0]);
    expect(out.mean[2]![0]).toBeCloseTo(pooled.mean, 12);
    expect(out.std[2]![0]).toBeCloseTo(pooled.std, 12);
  });

  it('skips non-finite values (a sensor missing from the row) and refuses unknown regimes and sensors', () => {
    const s = new RegimeScalingSums(1, ['a', 'b']);
    s.addRow(0, [1, NaN]);
    s.addRow(0, [3, 4]);
    const out = s.finish();
    expect(out.count[0]).toEqual([2, 1]);
    expect(out.mean[0]).toEqual([2, 4]);
    expect(() => s.add(1, 0, 1)).toThrow(/no regime 1/);
    expect(() => s.add(0, 2, 1)).toThrow(/no sensor 2/);
    expect(() => new RegimeScalingSums(0, ['a'])).toThrow(RangeError);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(scaling)) as RegimeScaling).toEqual(scaling);
  });
});
