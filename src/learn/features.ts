// Window features, shared by training and live prediction: names, sample times, feature rows.
// Pure: must never turn a missing statistic into 0; invalid windows are NaN (see the rule below).
//
// Validity rule (FEATURE_VALIDITY_RULE): a sample at t with window W = (t − W, t] is
//  1. full-window: valid only if the asset's episode started at or before t − W
//     (`requireFullWindow`, default true); with it false only rules 2 and 3 apply;
//  2. enough points: a sensor needs ≥ 2 readings in the window, else its features are NaN;
//  3. no long gap: a gap longer than `maxGapMs` (default W / 2) between the window start and
//     the first reading, between consecutive readings, or between the last reading and t
//     makes that sensor's features NaN.

import { lowerBound, upperBound } from './labels.js';
import type { FeatureStat, SensorSeries } from './types.js';
import { isFeatureStat } from './types.js';
import { windowStats, type WindowStats } from './window-stats.js';

export { slidingWindowStats, statsOfRange, windowStats, MIN_POINTS_IN_WINDOW } from './window-stats.js';
export type { WindowStats, WindowStatsColumns } from './window-stats.js';

/** The validity rule above, as text for the model card. */
export const FEATURE_VALIDITY_RULE =
  'A sample at t uses readings in (t − window, t]. It is taken only where the episode began at or ' +
  'before t − window (require_full_window). A sensor with fewer than 2 readings in the window, or ' +
  'a gap longer than max_gap (default window / 2) from the window start, between readings or up to ' +
  't, has missing (NaN) features for that sample, never 0.';

/** How window features are computed; all durations in milliseconds. */
export interface FeatureSpec {
  /** W: the trailing window (t − W, t]. */
  readonly windowMs: number;
  /** Longest tolerated gap inside the window (rule 3); see defaultMaxGapMs. */
  readonly maxGapMs: number;
  /** Rule 1: take samples only where the episode's history covers the whole window. */
  readonly requireFullWindow: boolean;
}

/** The default of rule 3: half the window. */
export function defaultMaxGapMs(windowMs: number): number {
  return windowMs / 2;
}

/** `<sensor>_<stat>` for every sensor and statistic, sensors outermost, duplicates removed. */
export function candidateFeatures(sensors: readonly string[], stats: readonly FeatureStat[]): string[] {
  const names = new Set<string>();
  for (const sensor of sensors) for (const stat of stats) names.add(featureName(sensor, stat));
  return [...names];
}

export function featureName(sensor: string, stat: FeatureStat): string {
  return `${sensor}_${stat}`;
}

/**
 * Splits `<sensor>_<stat>` at its last underscore (sensor names may contain underscores),
 * or returns null when the suffix is not a statistic.
 */
export function parseFeatureName(name: string): { sensor: string; stat: FeatureStat } | null {
  const cut = name.lastIndexOf('_');
  if (cut <= 0) return null;
  const stat = name.slice(cut + 1);
  return isFeatureStat(stat) ? { sensor: name.slice(0, cut), stat } : null;
}

/** Column positions of each sensor's statistics within a list of feature names. */
export function featureLayout(featureNames: readonly string[]): Map<string, Array<{ stat: FeatureStat; column: number }>> {
  const bySensor = new Map<string, Array<{ stat: FeatureStat; column: number }>>();
  featureNames.forEach((name, column) => {
    const parsed = parseFeatureName(name);
    if (parsed === null) throw new Error(`feature "${name}" is not <sensor>_<stat> with stat in mean|std|min|max|slope|last`);
    const list = bySensor.get(parsed.sensor) ?? [];
    list.push({ stat: parsed.stat, column });
    bySensor.set(parsed.sensor, list);
  });
  return bySensor;
}

/**
 * The feature row at time t, in the order of `featureNames`; NaN for every missing feature.
 * Live prediction calls exactly this, so serving computes what training computed.
 * `historyStart` (the first reading since the asset's last fault) applies rule 1: with
 * `requireFullWindow` and historyStart > t − W every feature is NaN. Without it, rule 1
 * is the caller's responsibility (training enforces it through sampleTimes).
 */
export function featureVector(
  series: SensorSeries,
  t: number,
  spec: FeatureSpec,
  featureNames: readonly string[],
  historyStart?: number,
): Float64Array {
  const row = new Float64Array(featureNames.length).fill(NaN);
  if (spec.requireFullWindow && historyStart !== undefined && historyStart > t - spec.windowMs) return row;
  for (const [sensor, slots] of featureLayout(featureNames)) {
    const points = series.get(sensor);
    const w = points === undefined ? null : windowStats(points, t, spec.windowMs, spec.maxGapMs);
    if (w === null) continue;
    for (const { stat, column } of slots) row[column] = statOf(w, stat);
  }
  return row;
}

export function statOf(w: WindowStats, stat: FeatureStat): number {
  return w[stat];
}

/**
 * Sample times of one episode: reading timestamps (so `last` is an actual reading) in
 * [episodeStart, episodeEnd], at most one per `strideMs` (a time is taken when it is
 * ≥ the previous sample + stride), and with `requireFullWindow` only at t ≥ episodeStart + W.
 */
export function sampleTimes(
  readingTimes: readonly number[],
  episodeStart: number,
  episodeEnd: number,
  strideMs: number,
  windowMs: number,
  requireFullWindow: boolean,
): number[] {
  const earliest = requireFullWindow ? episodeStart + windowMs : episodeStart;
  const to = upperBound(readingTimes, episodeEnd);
  const out: number[] = [];
  let next = -Infinity;
  for (let i = lowerBound(readingTimes, earliest); i < to; i++) {
    const t = readingTimes[i] as number;
    if (t < next) continue;
    out.push(t);
    next = t + strideMs;
  }
  return out;
}
