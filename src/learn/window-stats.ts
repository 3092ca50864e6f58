// The numeric kernels of window features: statistics of one sensor over (t − W, t], one window
// at a time (windowStats) or for many sample times in one sliding pass. Pure; no naming here.

import type { Point } from './types.js';

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

/** Index of the first point with ts > x. */
function firstAfter(points: readonly Point[], x: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as Point).ts <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Rule 3: no gap longer than `maxGapMs` between the window start and the first reading,
 * between consecutive readings, or between the last reading and t. Window is [lo, hi).
 */
function gapsOk(points: readonly Point[], lo: number, hi: number, t: number, windowMs: number, maxGapMs: number): boolean {
  if ((points[lo] as Point).ts - (t - windowMs) > maxGapMs) return false;
  if (t - (points[hi - 1] as Point).ts > maxGapMs) return false;
  for (let i = lo + 1; i < hi; i++) {
    if ((points[i] as Point).ts - (points[i - 1] as Point).ts > maxGapMs) return false;
  }
  return true;
}

/**
 * Two-pass statistics of points [lo, hi), hi − lo ≥ 2. Times and values are taken relative
 * to the first point before summing: epoch-ms timestamps squared (~3e24) would leave no
 * significant digits for a window's spread of a few minutes.
 */
export function statsOfRange(points: readonly Point[], lo: number, hi: number): WindowStats {
  const first = points[lo] as Point;
  const n = hi - lo;
  let sumDt = 0;
  let sumDv = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = lo; i < hi; i++) {
    const p = points[i] as Point;
    sumDt += p.ts - first.ts;
    sumDv += p.value - first.value;
    if (p.value < min) min = p.value;
    if (p.value > max) max = p.value;
  }
  const mt = sumDt / n;
  const mv = sumDv / n;
  let stt = 0;
  let stv = 0;
  let svv = 0;
  for (let i = lo; i < hi; i++) {
    const p = points[i] as Point;
    const dt = p.ts - first.ts - mt;
    const dv = p.value - first.value - mv;
    stt += dt * dt;
    stv += dt * dv;
    svv += dv * dv;
  }
  return {
    n,
    mean: first.value + mv,
    std: Math.sqrt(svv / n),
    min,
    max,
    // Per millisecond → per second; stt > 0 since timestamps are unique and n ≥ 2.
    slope: (stv / stt) * 1000,
    last: (points[hi - 1] as Point).value,
  };
}

/**
 * Statistics of `points` (sorted, unique ts) over the window (t − windowMs, t], or null when
 * the window has fewer than 2 readings or a gap longer than `maxGapMs` (see features.ts).
 * Binary search finds the window; the work is O(readings in the window).
 */
export function windowStats(points: readonly Point[], t: number, windowMs: number, maxGapMs: number): WindowStats | null {
  const lo = firstAfter(points, t - windowMs);
  const hi = firstAfter(points, t);
  if (hi - lo < MIN_POINTS_IN_WINDOW) return null;
  if (!gapsOk(points, lo, hi, t, windowMs, maxGapMs)) return null;
  return statsOfRange(points, lo, hi);
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

function addPoint(s: Sums, points: readonly Point[], i: number, sign: 1 | -1): void {
  const a = points[s.anchor] as Point;
  const p = points[i] as Point;
  const dt = p.ts - a.ts;
  const dv = p.value - a.value;
  s.n += sign;
  s.t += sign * dt;
  s.v += sign * dv;
  s.tt += sign * dt * dt;
  s.tv += sign * dt * dv;
  s.vv += sign * dv * dv;
  s.magTT += dt * dt;
  s.magVV += dv * dv;
}

/** Recomputes the sums of window [lo, hi) around its newest point, which stays in the window longest. */
function rebase(s: Sums, points: readonly Point[], lo: number, hi: number): void {
  Object.assign(s, { anchor: hi - 1, n: 0, t: 0, v: 0, tt: 0, tv: 0, vv: 0, magTT: 0, magVV: 0 });
  for (let i = lo; i < hi; i++) addPoint(s, points, i, 1);
}

// Relative size under which a centred sum is considered eaten by cancellation: the rounding
// error is about 1e-16 × magnitude, so 1e-4 keeps running results within ~1e-12 relative.
const CANCELLATION_TOLERANCE = 1e-4;

/** Statistics from the running sums, or null when cancellation makes them untrustworthy. */
function statsFromSums(s: Sums, points: readonly Point[], hi: number, min: number, max: number): WindowStats | null {
  const ctt = s.tt - (s.t * s.t) / s.n;
  const ctv = s.tv - (s.t * s.v) / s.n;
  const cvv = s.vv - (s.v * s.v) / s.n;
  const tol = CANCELLATION_TOLERANCE;
  // No separate test for ctv: its error is ~1e-16·Σ|dt·dv| ≤ 1e-16·√(magTT·magVV) (Cauchy–Schwarz),
  // so with these two the slope's error stays ~1e-12 of its natural scale √(cvv / ctt).
  if (ctt < tol * s.magTT || cvv < tol * s.magVV) return null;
  const a = points[s.anchor] as Point;
  return {
    n: s.n,
    mean: a.value + s.v / s.n,
    std: Math.sqrt(cvv / s.n),
    min,
    max,
    slope: (ctv / ctt) * 1000,
    last: (points[hi - 1] as Point).value,
  };
}

/** A deque of point indices whose keys are monotonic: the front is the window's extreme. */
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
 * windowStats for every time of `times` (sorted ascending) in one pass over `points`:
 * running shifted sums for mean, std and slope, monotonic deques for min, max and the
 * longest gap. Agrees with windowStats to ~1e-12 of the window's scale (the tests hold it
 * to 1e-9): the sums are re-anchored on a reading inside the window once their anchor
 * leaves it, and a window whose centred sums lost too many digits to cancellation is
 * recomputed exactly. min, max and last are exact.
 */
export function slidingWindowStats(
  points: readonly Point[],
  times: readonly number[],
  windowMs: number,
  maxGapMs: number,
): WindowStatsColumns {
  const cols = nanColumns(times.length);
  const value = (i: number): number => (points[i] as Point).value;
  const gapBefore = (i: number): number => (points[i] as Point).ts - (points[i - 1] as Point).ts;
  const mins = new MonotonicDeque(points.length, value, (a, b) => a < b);
  const maxs = new MonotonicDeque(points.length, value, (a, b) => a > b);
  const gaps = new MonotonicDeque(points.length, gapBefore, (a, b) => a > b);
  const s: Sums = { anchor: -1, n: 0, t: 0, v: 0, tt: 0, tv: 0, vv: 0, magTT: 0, magVV: 0 };
  let lo = 0;
  let hi = 0;
  for (let r = 0; r < times.length; r++) {
    const t = times[r] as number;
    for (; hi < points.length && (points[hi] as Point).ts <= t; hi++) {
      mins.push(hi);
      maxs.push(hi);
      if (hi > 0) gaps.push(hi);
      if (s.anchor >= 0) addPoint(s, points, hi, 1);
    }
    for (; lo < hi && (points[lo] as Point).ts <= t - windowMs; lo++) {
      if (s.anchor >= 0) addPoint(s, points, lo, -1);
    }
    if (hi - lo < MIN_POINTS_IN_WINDOW) continue;
    mins.dropBelow(lo);
    maxs.dropBelow(lo);
    gaps.dropBelow(lo + 1); // interior gaps of [lo, hi) are those before points lo+1 … hi−1
    const widestGap = Math.max(
      (points[lo] as Point).ts - (t - windowMs),
      t - (points[hi - 1] as Point).ts,
      gapBefore(gaps.front() as number), // defined: a window of ≥ 2 readings has an interior gap
    );
    if (widestGap > maxGapMs) continue;
    if (s.anchor < lo) rebase(s, points, lo, hi);
    const min = value(mins.front() as number);
    const max = value(maxs.front() as number);
    let w = statsFromSums(s, points, hi, min, max);
    if (w === null) {
      rebase(s, points, lo, hi);
      w = statsOfRange(points, lo, hi);
    }
    writeRow(cols, r, w);
  }
  return cols;
}
