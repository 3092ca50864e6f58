// The numeric kernels of window features: statistics of one sensor over (t − W, t], one window
// at a time (windowStats) or for many sample times in one sliding pass. Pure; no naming here.

import { upperBound } from './labels.js';
import type { Series } from './types.js';

/**
 * Statistics of one sensor's readings inside a window. `std` is the population standard
 * deviation (divide by n); `slope` the least-squares slope of value against time in units
 * per second; `last` the value of the latest reading at or before t.
 */
export interface WindowStats {
  n: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  slope: number;
  last: number;
}

/** Window statistics for many sample times, one column per statistic; NaN where invalid. */
export interface WindowStatsColumns {
  mean: Float64Array;
  std: Float64Array;
  min: Float64Array;
  max: Float64Array;
  slope: Float64Array;
  last: Float64Array;
}

/** std and slope need two readings; fewer makes the sensor's features missing (rule 2). */
export const MIN_POINTS_IN_WINDOW = 2;

/**
 * Rule 3: no gap longer than `maxGapMs` between the window start and the first reading,
 * between consecutive readings, or between the last reading and t. Window is [lo, hi).
 */
function gapsOk(ts: ArrayLike<number>, lo: number, hi: number, t: number, windowMs: number, maxGapMs: number): boolean {
  if ((ts[lo] as number) - (t - windowMs) > maxGapMs) return false;
  if (t - (ts[hi - 1] as number) > maxGapMs) return false;
  for (let i = lo + 1; i < hi; i++) {
    if ((ts[i] as number) - (ts[i - 1] as number) > maxGapMs) return false;
  }
  return true;
}

/**
 * Two-pass statistics of readings [lo, hi), hi − lo ≥ 2. Times and values are taken relative
 * to the first reading before summing: epoch-ms timestamps squared (~3e24) would leave no
 * significant digits for a window's spread of a few minutes.
 */
export function statsOfRange(series: Series, lo: number, hi: number): WindowStats {
  const { ts, value } = series;
  const t0 = ts[lo] as number;
  const v0 = value[lo] as number;
  const n = hi - lo;
  let sumDt = 0;
  let sumDv = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = lo; i < hi; i++) {
    const v = value[i] as number;
    sumDt += (ts[i] as number) - t0;
    sumDv += v - v0;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mt = sumDt / n;
  const mv = sumDv / n;
  let stt = 0;
  let stv = 0;
  let svv = 0;
  for (let i = lo; i < hi; i++) {
    const dt = (ts[i] as number) - t0 - mt;
    const dv = (value[i] as number) - v0 - mv;
    stt += dt * dt;
    stv += dt * dv;
    svv += dv * dv;
  }
  return {
    n,
    mean: v0 + mv,
    std: Math.sqrt(svv / n),
    min,
    max,
    // Per millisecond → per second; stt > 0 since timestamps are unique and n ≥ 2.
    slope: (stv / stt) * 1000,
    last: value[hi - 1] as number,
  };
}

/**
 * Statistics of `series` over the window (t − windowMs, t], or null when the window has
 * fewer than 2 readings or a gap longer than `maxGapMs` (see features.ts). Binary search
 * finds the window; the work is O(readings in the window).
 */
export function windowStats(series: Series, t: number, windowMs: number, maxGapMs: number): WindowStats | null {
  const lo = upperBound(series.ts, t - windowMs);
  const hi = upperBound(series.ts, t);
  if (hi - lo < MIN_POINTS_IN_WINDOW) return null;
  if (!gapsOk(series.ts, lo, hi, t, windowMs, maxGapMs)) return null;
  return statsOfRange(series, lo, hi);
}

/** Running sums of (ts − anchorTs, value − anchorValue) over the window, plus magnitudes. */
interface Sums {
  anchor: number;
  n: number;
  t: number;
  v: number;
  tt: number;
  tv: number;
  vv: number;
  // Sum of dt² and dv² of every addition and removal since the last rebase: the scale of
  // the rounding error carried by tt and vv (and, by Cauchy–Schwarz, tv).
  magTT: number;
  magVV: number;
}

function addReading(s: Sums, series: Series, i: number, sign: 1 | -1): void {
  const dt = (series.ts[i] as number) - (series.ts[s.anchor] as number);
  const dv = (series.value[i] as number) - (series.value[s.anchor] as number);
  s.n += sign;
  s.t += sign * dt;
  s.v += sign * dv;
  s.tt += sign * dt * dt;
  s.tv += sign * dt * dv;
  s.vv += sign * dv * dv;
  s.magTT += dt * dt;
  s.magVV += dv * dv;
}

/** Recomputes the sums of window [lo, hi) around its newest reading, which stays in the window longest. */
function rebase(s: Sums, series: Series, lo: number, hi: number): void {
  Object.assign(s, { anchor: hi - 1, n: 0, t: 0, v: 0, tt: 0, tv: 0, vv: 0, magTT: 0, magVV: 0 });
  for (let i = lo; i < hi; i++) addReading(s, series, i, 1);
}

// Relative size under which a centred sum is considered eaten by cancellation: the rounding
// error is about 1e-16 × magnitude, so 1e-4 keeps running results within ~1e-12 relative.
const CANCELLATION_TOLERANCE = 1e-4;

/** Statistics from the running sums, or null when cancellation makes them untrustworthy. */
function statsFromSums(s: Sums, series: Series, hi: number, min: number, max: number): WindowStats | null {
  const ctt = s.tt - (s.t * s.t) / s.n;
  const ctv = s.tv - (s.t * s.v) / s.n;
  const cvv = s.vv - (s.v * s.v) / s.n;
  const tol = CANCELLATION_TOLERANCE;
  // No separate test for ctv: its error is ~1e-16·Σ|dt·dv| ≤ 1e-16·√(magTT·magVV) (Cauchy–Schwarz),
  // so with these two the slope's error stays ~1e-12 of its natural scale √(cvv / ctt).
  if (ctt < tol * s.magTT || cvv < tol * s.magVV) return null;
  return {
    n: s.n,
    mean: (series.value[s.anchor] as number) + s.v / s.n,
    std: Math.sqrt(cvv / s.n),
    min,
    max,
    slope: (ctv / ctt) * 1000,
    last: series.value[hi - 1] as number,
  };
}

/** A deque of reading indices whose keys are monotonic: the front is the window's extreme. */
class MonotonicDeque {
  private readonly items: Int32Array;
  private head = 0;
  private tail = 0;
  constructor(capacity: number, private readonly key: (i: number) => number, private readonly before: (a: number, b: number) => boolean) {
    this.items = new Int32Array(Math.max(capacity, 1));
  }
  push(i: number): void {
    const k = this.key(i);
    while (this.tail > this.head && !this.before(this.key(this.items[this.tail - 1] as number), k)) this.tail--;
    this.items[this.tail++] = i;
  }
  dropBelow(lo: number): void {
    while (this.tail > this.head && (this.items[this.head] as number) < lo) this.head++;
  }
  front(): number | undefined {
    return this.tail > this.head ? this.items[this.head] : undefined;
  }
}

function nanColumns(m: number): WindowStatsColumns {
  const col = (): Float64Array => new Float64Array(m).fill(NaN);
  return { mean: col(), std: col(), min: col(), max: col(), slope: col(), last: col() };
}

function writeRow(cols: WindowStatsColumns, r: number, w: WindowStats): void {
  cols.mean[r] = w.mean;
  cols.std[r] = w.std;
  cols.min[r] = w.min;
  cols.max[r] = w.max;
  cols.slope[r] = w.slope;
  cols.last[r] = w.last;
}

/**
 * windowStats for every time of `times` (sorted ascending) in one pass over `series`:
 * running shifted sums for mean, std and slope, monotonic deques for min, max and the
 * longest gap. Agrees with windowStats to ~1e-12 of the window's scale (the tests hold it
 * to 1e-9): the sums are re-anchored on a reading inside the window once their anchor
 * leaves it, and a window whose centred sums lost too many digits to cancellation is
 * recomputed exactly. min, max and last are exact.
 */
export function slidingWindowStats(
  series: Series,
  times: readonly number[],
  windowMs: number,
  maxGapMs: number,
): WindowStatsColumns {
  const cols = nanColumns(times.length);
  const ts = series.ts;
  const count = ts.length;
  const value = (i: number): number => series.value[i] as number;
  const gapBefore = (i: number): number => (ts[i] as number) - (ts[i - 1] as number);
  const mins = new MonotonicDeque(count, value, (a, b) => a < b);
  const maxs = new MonotonicDeque(count, value, (a, b) => a > b);
  const gaps = new MonotonicDeque(count, gapBefore, (a, b) => a > b);
  const s: Sums = { anchor: -1, n: 0, t: 0, v: 0, tt: 0, tv: 0, vv: 0, magTT: 0, magVV: 0 };
  let lo = 0;
  let hi = 0;
  for (let r = 0; r < times.length; r++) {
    const t = times[r] as number;
    for (; hi < count && (ts[hi] as number) <= t; hi++) {
      mins.push(hi);
      maxs.push(hi);
      if (hi > 0) gaps.push(hi);
      if (s.anchor >= 0) addReading(s, series, hi, 1);
    }
    for (; lo < hi && (ts[lo] as number) <= t - windowMs; lo++) {
      if (s.anchor >= 0) addReading(s, series, lo, -1);
    }
    if (hi - lo < MIN_POINTS_IN_WINDOW) continue;
    mins.dropBelow(lo);
    maxs.dropBelow(lo);
    gaps.dropBelow(lo + 1); // interior gaps of [lo, hi) are those before readings lo+1 … hi−1
    const widestGap = Math.max(
      (ts[lo] as number) - (t - windowMs),
      t - (ts[hi - 1] as number),
      gapBefore(gaps.front() as number), // defined: a window of ≥ 2 readings has an interior gap
    );
    if (widestGap > maxGapMs) continue;
    if (s.anchor < lo) rebase(s, series, lo, hi);
    const min = value(mins.front() as number);
    const max = value(maxs.front() as number);
    let w = statsFromSums(s, series, hi, min, max);
    if (w === null) {
      rebase(s, series, lo, hi);
      w = statsOfRange(series, lo, hi);
    }
    writeRow(cols, r, w);
  }
  return cols;
}
