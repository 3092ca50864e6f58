// Window statistics by hand-computed examples, the validity rule (points, gaps, full window),
// feature naming and sample times.
import { describe, expect, it } from 'vitest';
import {
  candidateFeatures,
  defaultMaxGapMs,
  featureLayout,
  featureVector,
  parseFeatureName,
  sampleTimes,
  windowStats,
  type FeatureSpec,
} from '../../../src/learn/features.js';
import type { SensorSeries } from '../../../src/learn/types.js';
import { seriesOf, type Point } from '../../helpers/series.js';

const pts = (pairs: Array<[number, number]>) => seriesOf(pairs.map(([ts, value]) => ({ ts, value })));
const T0 = 1_764_320_000_000; // an epoch-ms timestamp of today's magnitude

describe('windowStats', () => {
  const four = pts([[1000, 1], [2000, 3], [3000, 2], [4000, 6]]);

  it('computes mean, population std, min, max, slope per second and last', () => {
    const w = windowStats(four, 4000, 4000, 2000);
    expect(w).not.toBeNull();
    expect(w?.n).toBe(4);
    expect(w?.mean).toBeCloseTo(3, 12);
    expect(w?.std).toBeCloseTo(Math.sqrt(14 / 4), 12); // population: divide by n
    expect(w?.min).toBe(1);
    expect(w?.max).toBe(6);
    expect(w?.slope).toBeCloseTo(7 / 5, 12); // Σdt·dv / Σdt² with dt in seconds
    expect(w?.last).toBe(6);
  });

  it('uses the half-open window (t − W, t]: the reading at t − W is out, the one at t is in', () => {
    const w = windowStats(four, 4000, 3000, 2000); // (1000, 4000]
    expect(w?.n).toBe(3);
    expect(w?.min).toBe(2);
    const before = windowStats(four, 3500, 3000, 2000); // (500, 3500]: 4000 is after t
    expect(before?.n).toBe(3);
    expect(before?.last).toBe(2);
    expect(before?.max).toBe(3);
  });

  it('is null with fewer than two readings in the window', () => {
    expect(windowStats(four, 1500, 1000, 1000)).toBeNull();
    expect(windowStats(pts([]), 1500, 1000, 1000)).toBeNull();
    expect(windowStats(four, 500, 1000, 1000)).toBeNull();
  });

  it('is null when the gap from the window start to the first reading exceeds maxGap', () => {
    const p = pts([[T0 + 6000, 1], [T0 + 8000, 2], [T0 + 10_000, 3]]);
    expect(windowStats(p, T0 + 10_000, 10_000, 5000)).toBeNull(); // start gap 6 s
    expect(windowStats(p, T0 + 10_000, 10_000, 6000)).not.toBeNull(); // exactly maxGap is allowed
  });

  it('is null when the gap from the last reading to t exceeds maxGap', () => {
    const p = pts([[T0 + 1000, 1], [T0 + 2000, 2], [T0 + 3000, 3]]);
    expect(windowStats(p, T0 + 9000, 10_000, 5000)).toBeNull(); // 6 s since the last reading
    expect(windowStats(p, T0 + 8000, 10_000, 5000)).not.toBeNull();
  });

  it('is null when a gap between readings exceeds maxGap', () => {
    const p = pts([[T0 + 1000, 1], [T0 + 2000, 2], [T0 + 8000, 3], [T0 + 9000, 4]]);
    expect(windowStats(p, T0 + 9000, 10_000, 5000)).toBeNull();
    expect(windowStats(p, T0 + 9000, 10_000, 6000)).not.toBeNull();
  });

  it('keeps full precision on epoch-ms timestamps and large offsets', () => {
    // value = 1e6 + 0.001·seconds + alternating ±1e-3: raw sums of squares would lose it all.
    const p: Point[] = [];
    for (let i = 0; i < 600; i++) p.push({ ts: T0 + i * 1000, value: 1e6 + 0.001 * i + (i % 2 === 0 ? 1e-3 : -1e-3) });
    const w = windowStats(seriesOf(p), T0 + 599_000, 600_000, 300_000);
    expect(w?.n).toBe(600);
    // Least squares of the alternating term against time: a tiny known bias, −6e-9/s for n = 600.
    expect(w?.slope).toBeCloseTo(0.001 - 6 * 1e-3 / (600 * 600 - 1), 12);
    expect(w?.mean).toBeCloseTo(1e6 + 0.001 * 299.5, 9);
    expect(w?.std).toBeCloseTo(Math.sqrt((0.001 ** 2 * (600 * 600 - 1)) / 12 + 1e-6 - (2 * 0.001 * 1e-3 * 300 * 0.5) / 300), 6);
  });

  it('gives std 0 and slope 0 for a constant sensor', () => {
    const p = pts([[T0, 518.67], [T0 + 1000, 518.67], [T0 + 2000, 518.67]]);
    const w = windowStats(p, T0 + 2000, 3000, 3000);
    expect(w?.std).toBe(0);
    expect(w?.slope).toBe(0);
    expect(w?.mean).toBe(518.67);
  });
});

describe('feature names', () => {
  it('lists <sensor>_<stat>, sensors outermost, without duplicates', () => {
    expect(candidateFeatures(['temp', 'vib'], ['mean', 'slope', 'mean'])).toEqual(['temp_mean', 'temp_slope', 'vib_mean', 'vib_slope']);
  });
  it('parses at the last underscore so sensor names may contain underscores', () => {
    expect(parseFeatureName('motor_temp_slope')).toEqual({ sensor: 'motor_temp', stat: 'slope' });
    expect(parseFeatureName('temp_median')).toBeNull();
    expect(parseFeatureName('_mean')).toBeNull();
    expect(parseFeatureName('mean')).toBeNull();
  });
  it('refuses a layout with a name that is not a feature', () => {
    expect(() => featureLayout(['temp_mean', 'oops'])).toThrow(/oops/);
  });
  it('groups columns by sensor', () => {
    const layout = featureLayout(['a_mean', 'b_last', 'a_max']);
    expect(layout.get('a')).toEqual([{ stat: 'mean', column: 0 }, { stat: 'max', column: 2 }]);
    expect(layout.get('b')).toEqual([{ stat: 'last', column: 1 }]);
  });
});

describe('featureVector', () => {
  const series: SensorSeries = new Map([
    ['temp', pts([[T0 + 1000, 70], [T0 + 2000, 72], [T0 + 3000, 74]])],
    ['vib', pts([[T0 + 3000, 0.5]])],
  ]);
  const spec: FeatureSpec = { windowMs: 4000, maxGapMs: 2000, requireFullWindow: true };
  const names = ['temp_last', 'vib_mean', 'temp_slope', 'missing_mean', 'temp_mean'];

  it('fills features in the order of the names, NaN (never 0) for what is missing', () => {
    const v = featureVector(series, T0 + 3000, spec, names);
    expect(v[0]).toBe(74);
    expect(v[1]).toBeNaN(); // one reading: rule 2
    expect(v[2]).toBeCloseTo(2, 12);
    expect(v[3]).toBeNaN(); // unknown sensor
    expect(v[4]).toBeCloseTo(72, 12);
  });

  it('is all NaN when the history since the last fault does not cover the window (rule 1)', () => {
    expect([...featureVector(series, T0 + 3000, spec, names, T0 + 1000)].every(Number.isNaN)).toBe(true);
    expect(featureVector(series, T0 + 3000, spec, names, T0 - 1000)[0]).toBe(74);
    expect(featureVector(series, T0 + 3000, { ...spec, requireFullWindow: false }, names, T0 + 1000)[0]).toBe(74);
  });

  it('has a default max gap of half the window', () => {
    expect(defaultMaxGapMs(600_000)).toBe(300_000);
  });
});

describe('sampleTimes', () => {
  const readings = [0, 10, 20, 25, 30, 31, 45, 60, 70, 80, 90, 100].map((s) => s * 1000);

  it('takes reading times at least a stride apart, only after a full window of the episode', () => {
    expect(sampleTimes(readings, 0, 100_000, 20_000, 20_000, true)).toEqual([20_000, 45_000, 70_000, 90_000]);
  });

  it('takes a time exactly one stride after the previous sample', () => {
    expect(sampleTimes(readings, 0, 100_000, 10_000, 20_000, true)).toEqual([20_000, 30_000, 45_000, 60_000, 70_000, 80_000, 90_000, 100_000]);
  });

  it('stays inside the episode', () => {
    expect(sampleTimes(readings, 25_000, 80_000, 1, 10_000, true)).toEqual([45_000, 60_000, 70_000, 80_000]);
  });

  it('starts at the episode start without the full-window rule', () => {
    expect(sampleTimes(readings, 25_000, 60_000, 1, 10_000, false)).toEqual([25_000, 30_000, 31_000, 45_000, 60_000]);
  });

  it('returns nothing for an episode shorter than the window', () => {
    expect(sampleTimes(readings, 0, 15_000, 1, 20_000, true)).toEqual([]);
  });
});
