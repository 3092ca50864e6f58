// Where a retrain reads its data: the buffer (store/training-data.ts) or, for tests and the
// benchmark, histories held in memory. The job sees only this interface, never SQLite.
import type { AssetHistory } from '../learn/dataset.js';
import { readingTimesOf, sensorsOf } from '../learn/dataset.js';
import { normalizeFaults } from '../learn/labels.js';
import type { Series } from '../learn/types.js';

/** What a training source must offer, one asset at a time, assets sorted by name. */
export interface TrainingSource<A extends { readonly name: string } = { readonly name: string }> {
  readonly assets: () => A[];
  /** Every sensor of the given assets, sorted by name. */
  readonly sensors: (assets: readonly A[]) => string[];
  /** Fault times of the asset, ascending. */
  readonly faults: (asset: A) => number[];
  /** Distinct reading times of `sensors` on the asset, ascending (no values: cheap). */
  readonly readingTimes: (asset: A, sensors: readonly string[]) => number[];
  /** The asset's readings of `sensors` and its faults. */
  readonly history: (asset: A, sensors: readonly string[]) => AssetHistory;
  /** Runs `fn` on one consistent view of the data: every read inside it sees the same state. */
  readonly snapshot: <T>(fn: () => T) => T;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A source over histories already in memory (tests, the benchmark's fit-only runs). */
export function memorySource(histories: readonly AssetHistory[]): TrainingSource {
  const byAsset = new Map(histories.map((h) => [h.asset, h]));
  const get = (asset: { readonly name: string }): AssetHistory => {
    const h = byAsset.get(asset.name);
    if (h === undefined) throw new Error(`unknown asset "${asset.name}"`);
    return h;
  };
  return {
    assets: () => [...byAsset.keys()].sort(byName).map((name) => ({ name })),
    sensors: (assets) => sensorsOf(assets.map(get)),
    faults: (asset) => normalizeFaults(get(asset).faults),
    readingTimes: (asset, sensors) => readingTimesOf(get(asset).series, sensors),
    history: (asset, sensors) => {
      const h = get(asset);
      const series = new Map<string, Series>();
      for (const sensor of sensors) {
        const readings = h.series.get(sensor);
        if (readings !== undefined) series.set(sensor, readings);
      }
      return { ...h, series };
    },
    snapshot: (fn) => fn(), // nothing changes under it
  };
}
