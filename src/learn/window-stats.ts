// The numeric kernel of window statistics: one sensor over (t − W, t], the recipe of earlier
// releases (feature-stream.ts keeps each sensor's trailing window for it). Pure; no naming here.

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
