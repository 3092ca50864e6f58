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

/** One asset's history as the store hands it over. Times in epoch ms. */
export interface AssetHistory {
  readonly asset: string;
  readonly series: SensorSeries;
  readonly faults: readonly number[];
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
