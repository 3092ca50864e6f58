// Tests write readings as { ts, value } pairs; the learning core takes them as columns (Series).
import type { Series } from '../../src/learn/types.js';

/** One reading: `ts` in epoch milliseconds. */
export interface Point {
  readonly ts: number;
  readonly value: number;
}

/** The columns of `points`, which must already be sorted by ts with unique timestamps. */
export function seriesOf(points: readonly Point[]): Series {
  return { ts: points.map((p) => p.ts), value: points.map((p) => p.value) };
}

/** The readings of `series` as pairs, for comparing and filtering in tests. */
export function pointsOf(series: Series): Point[] {
  return Array.from(series.ts, (ts, i) => ({ ts, value: series.value[i] as number }));
}
