// Shared shapes of the learning core: readings, series, episodes, feature statistics.
// Types, constants and one type guard: no behaviour, no I/O, nothing mutable at module level.

/**
 * One sensor's readings as two parallel columns, `ts[i]` with `value[i]`, sorted by `ts`
 * ascending with unique timestamps (the store's primary key guarantees both). Columns, not an
 * object per reading: a retrain holds millions of readings (Float64Arrays there), live
 * windows a few minutes of them (plain arrays they insert into).
 */
export interface Series {
  readonly ts: ArrayLike<number>;
  readonly value: ArrayLike<number>;
}

/** One asset's readings, by sensor name. */
export type SensorSeries = ReadonlyMap<string, Series>;

/** The window statistics a model can use, in the order feature names are generated. */
export const FEATURE_STATS = Object.freeze(['mean', 'std', 'min', 'max', 'slope', 'last'] as const);

/** One window statistic; see features.ts for the exact definitions. */
export type FeatureStat = (typeof FEATURE_STATS)[number];

/** True when `s` names a window statistic. */
export function isFeatureStat(s: string): s is FeatureStat {
  return (FEATURE_STATS as readonly string[]).includes(s);
}

/**
 * A stretch of one asset's history that ends in a fault (closed) or, for the asset's
 * last stretch, in its last labelled moment (open, `faultTs` null). Times in epoch ms.
 */
export interface Episode {
  /** 0-based position among the asset's episodes, in time order. */
  readonly index: number;
  /** Timestamp of the first reading of the episode. */
  readonly start: number;
  /** The fault that closes the episode, or null for the open tail. */
  readonly faultTs: number | null;
  /** `faultTs` for a closed episode; the last labelled moment of an open tail. */
  readonly end: number;
}
