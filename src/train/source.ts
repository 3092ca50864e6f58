// Where a retrain reads its data: the buffer (store/training-data.ts) or, for tests and the
// benchmark, histories held in memory. The job sees only this interface, never SQLite.
import { mergeByTime } from '../learn/merge.js';
import { normalizeFaults } from '../learn/labels.js';
import type { AssetHistory, Series } from '../learn/types.js';

/** What a training source must offer, one asset at a time, assets sorted by name. */
export interface TrainingSource<A extends { readonly name: string } = { readonly name: string }> {
  readonly assets: () => A[];
  /** Every sensor of the given assets, sorted by name. */
  readonly sensors: (assets: readonly A[]) => string[];
  /** Fault times of the asset, ascending, each once. */
  readonly faults: (asset: A) => number[];
  /** Distinct reading times of `names` on the asset, ascending (no values: cheap). */
  readonly readingTimes: (asset: A, names: readonly string[]) => number[];
  /** The newest reading of any of `names` on the asset, or −Infinity. */
  readonly newest: (asset: A, names: readonly string[]) => number;
  /** The readings of `names` with from < ts ≤ to, one event per timestamp, in time order. */
  readonly events: (asset: A, names: readonly string[], from: number, to: number) => Iterable<readonly [number, Array<readonly [string, number]>]>;
  /** Runs `fn` on one consistent view of the data: every read inside it sees the same state. */
  readonly snapshot: <T>(fn: () => T) => T;
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Distinct reading times of the given series, sorted ascending. */
export function readingTimesOf(series: ReadonlyMap<string, Series>, names: readonly string[]): number[] {
  const total = names.reduce((sum, s) => sum + (series.get(s)?.ts.length ?? 0), 0);
  const times = new Float64Array(total);
  let k = 0;
  for (const s of names) {
    const ts = series.get(s)?.ts ?? [];
    for (let i = 0; i < ts.length; i++) times[k++] = ts[i] as number;
  }
  times.sort(); // a typed array sorts numerically, several times faster than a comparator
  const out: number[] = [];
  for (let i = 0; i < total; i++) if (i === 0 || times[i] !== times[i - 1]) out.push(times[i] as number);
  return out;
}

/** A source over histories already in memory (tests, the benchmark). */
export function memorySource(histories: readonly AssetHistory[]): TrainingSource {
  const byAsset = new Map(histories.map((h) => [h.asset, h]));
  const get = (asset: { readonly name: string }): AssetHistory => {
    const h = byAsset.get(asset.name);
    if (h === undefined) throw new Error(`unknown asset "${asset.name}"`);
    return h;
  };
  return {
    assets: () => [...byAsset.keys()].sort(byName).map((name) => ({ name })),
    sensors: (assets) => [...new Set(assets.flatMap((a) => [...get(a).series.keys()]))].sort(byName),
    faults: (asset) => normalizeFaults(get(asset).faults),
    readingTimes: (asset, names) => readingTimesOf(get(asset).series, names),
    newest: (asset, names) => Math.max(-Infinity, ...names.map((n) => {
      const ts = get(asset).series.get(n)?.ts;
      return ts && ts.length > 0 ? (ts[ts.length - 1] as number) : -Infinity;
    })),
    events: (asset, names, from, to) => {
      const series = new Map<string, Series>();
      for (const name of names) {
        const s = get(asset).series.get(name);
        if (!s) continue;
        const keep: number[] = [];
        for (let i = 0; i < s.ts.length; i++) if ((s.ts[i] as number) > from && (s.ts[i] as number) <= to) keep.push(i);
        series.set(name, { ts: keep.map((i) => s.ts[i] as number), value: keep.map((i) => s.value[i] as number) });
      }
      return mergeByTime(series);
    },
    snapshot: (fn) => fn(), // nothing changes under it
  };
}
