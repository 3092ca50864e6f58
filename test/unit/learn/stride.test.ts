// `stride: auto`: the median reading interval, coarsened only to keep about 200k samples, and the
// warning when the median episode gets fewer than 30 (REPORT.md 2.4).
import { describe, expect, it } from 'vitest';
import { autoStride, MIN_SAMPLES_PER_EPISODE, STRIDE_MAX_SAMPLES } from '../../../src/learn/stride.js';

/** `count` episodes of readings every `dtMs`, lengths 128 to 362 readings like C-MAPSS FD001's engines. */
function engines(count: number, dtMs: number): number[][] {
  return Array.from({ length: count }, (_, e) => {
    const readings = 128 + ((e * 37) % 235);
    const start = e * 1e9;
    return Array.from({ length: readings }, (_, i) => start + i * dtMs);
  });
}

describe('autoStride', () => {
  it('keeps the reading interval when the data is well under the bound (C-MAPSS: 1 s)', () => {
    const eps = engines(100, 1000);
    const s = autoStride(eps);
    expect(s).not.toBeNull();
    expect(s?.interval).toBe(1000);
    expect(s?.stride).toBe(1000);
    expect(s?.totalDuration).toBe(eps.reduce((a, t) => a + (t.at(-1) as number) - (t[0] as number), 0));
    expect(s?.fewSamples).toBe(false);
  });

  it('coarsens to a whole number of intervals once the total would pass 200k samples', () => {
    const eps = engines(5000, 1000); // ~1.2M readings
    const total = eps.reduce((a, t) => a + (t.at(-1) as number) - (t[0] as number), 0);
    const want = Math.ceil(total / STRIDE_MAX_SAMPLES / 1000) * 1000;
    expect(want).toBeGreaterThan(1000);
    const s = autoStride(eps);
    expect(s?.stride).toBe(want);
    expect(total / (s?.stride as number)).toBeLessThanOrEqual(STRIDE_MAX_SAMPLES);
    expect(total / ((s?.stride as number) - 1000)).toBeGreaterThan(STRIDE_MAX_SAMPLES); // one interval less would pass the bound
  });

  it('takes the median interval, so occasional long gaps do not set the spacing', () => {
    const times: number[] = [];
    for (let t = 0, i = 0; i < 500; i++) times.push((t += i % 50 === 49 ? 60_000 : 2000));
    expect(autoStride([times])?.interval).toBe(2000);
  });

  it('rounds a quotient that is a whole number up to itself, not to the next interval', () => {
    // Median interval 0.1; D = 0.1 + 0.2 = 0.30000000000000004, and D / 0.1 = 3.0000000000000004.
    const s = autoStride([[0, 0.1, 0.2, 0.1 + 0.2]], 1);
    expect(s?.interval).toBe(0.1);
    expect((s?.totalDuration as number) / 0.1).toBeGreaterThan(3);
    expect(s?.stride).toBeCloseTo(0.3, 12); // three intervals, not four
  });

  it('warns when the bound leaves the median episode fewer than 30 samples', () => {
    const many = Array.from({ length: 10_000 }, (_, e) => Array.from({ length: 100 }, (_, i) => e * 1e6 + i * 1000));
    const s = autoStride(many);
    // D = 10,000 × 99 s: the bound asks 4.95 s, rounded up to 5 s; 99 s / 5 s + 1 = 20.8 samples.
    expect(s?.stride).toBe(5000);
    expect(s?.samplesPerMedianEpisode).toBeCloseTo(20.8, 12);
    expect(s?.samplesPerMedianEpisode).toBeLessThan(MIN_SAMPLES_PER_EPISODE);
    expect(s?.fewSamples).toBe(true);
  });

  it('takes the median of an even number of intervals and episodes as their middle mean', () => {
    const s = autoStride([
      [0, 1000, 3000],
      [0, 10_000],
      [0, 4000, 5000],
    ]);
    // Intervals 1000, 2000, 10000, 4000, 1000 → 2000. Durations 3000, 10000, 5000 → 5000.
    expect(s?.interval).toBe(2000);
    expect(s?.medianDuration).toBe(5000);
    const even = autoStride([
      [0, 1000],
      [0, 3000],
    ]);
    expect(even?.interval).toBe(2000);
    expect(even?.medianDuration).toBe(2000);
  });

  it('ignores repeated times, and has nothing to derive without two distinct times in an episode', () => {
    expect(autoStride([[0, 0, 1000, 1000, 2000]])?.interval).toBe(1000);
    expect(autoStride([[5], [7], [9, 9]])).toBeNull();
    expect(autoStride([])).toBeNull();
    expect(() => autoStride([[0, 1]], 0)).toThrow(RangeError);
  });
});
