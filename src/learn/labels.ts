// Time-to-fault labels and the cutting of one asset's history into episodes.
// Pure: takes reading and fault times, returns episodes and labels; knows nothing of sensors.

import type { Episode } from './types.js';

/** Faults sorted ascending with duplicates removed (fault messages may be re-delivered). */
export function normalizeFaults(faults: readonly number[]): number[] {
  const sorted = [...faults].sort((a, b) => a - b);
  return sorted.filter((f, i) => i === 0 || f !== sorted[i - 1]);
}

/**
 * Time-to-fault label of moment `t` (epoch ms), in seconds, or null when censored.
 *
 * - `nextFaultTs` is the first fault at or after `t` on the same asset (the fault that
 *   closes t's episode), or null when no fault follows t.
 * - With a fault F ≥ t: min((F − t) / 1000, H). The fault proves the asset ran until F.
 * - With no fault after t: H when the asset has at least H of data after t
 *   (lastDataTs − t ≥ H·1000), else null: we cannot tell whether a fault came within H.
 * - `nextFaultTs` < t is a caller error (t is not in that episode) and yields null.
 */
export function labelAt(
  t: number,
  nextFaultTs: number | null,
  lastDataTs: number,
  horizonS: number,
): number | null {
  if (nextFaultTs !== null) {
    if (nextFaultTs < t) return null;
    return Math.min((nextFaultTs - t) / 1000, horizonS);
  }
  return lastDataTs - t >= horizonS * 1000 ? horizonS : null;
}

/** Index of the first element of sorted `a` that is > x (a.length when none). */
export function upperBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element of sorted `a` that is ≥ x (a.length when none). */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Cuts one asset's history into episodes.
 *
 * `readingTimes`: the asset's distinct reading times, sorted ascending (any sensor).
 * `faults`: fault times in any order, duplicates allowed, possibly outside the readings.
 *
 * Readings with ts ≤ F belong to the episode ending at fault F; the next episode starts
 * at the first reading after F. A fault with no reading in its episode (a fault before any
 * reading, or two faults with no reading between) yields no episode. Readings after the
 * last fault form an open tail, which is an episode only when it has labelled moments
 * (lastDataTs − t ≥ H·1000); its `end` is its last labelled reading time.
 */
export function episodesOf(
  readingTimes: readonly number[],
  faults: readonly number[],
  horizonS: number,
): Episode[] {
  const episodes: Episode[] = [];
  let from = 0;
  for (const f of normalizeFaults(faults)) {
    const to = upperBound(readingTimes, f);
    if (to > from) {
      episodes.push({ index: episodes.length, start: readingTimes[from] as number, faultTs: f, end: f });
      from = to;
    }
  }
  const tail = openTail(readingTimes, from, horizonS);
  if (tail !== null) episodes.push({ index: episodes.length, faultTs: null, ...tail });
  return episodes;
}

/** The labelled part of the readings from index `from` on, which no fault follows. */
function openTail(
  readingTimes: readonly number[],
  from: number,
  horizonS: number,
): { start: number; end: number } | null {
  if (from >= readingTimes.length) return null;
  const lastDataTs = readingTimes[readingTimes.length - 1] as number;
  // Labelled moments satisfy t ≤ lastDataTs − H: the last one is just before that bound.
  const labelledTo = upperBound(readingTimes, lastDataTs - horizonS * 1000);
  if (labelledTo <= from) return null;
  return { start: readingTimes[from] as number, end: readingTimes[labelledTo - 1] as number };
}

/** Number of readings from the asset's history that no episode labels (censored). */
export function censoredCount(readingTimes: readonly number[], episodes: readonly Episode[]): number {
  const last = episodes[episodes.length - 1];
  const covered = last === undefined ? 0 : upperBound(readingTimes, last.end);
  return readingTimes.length - covered;
}
