// Pass 1 of a retrain: the dataset's episodes and row counts from reading times and faults alone,
// before any value is read, so the feature matrix is allocated once at its final size and the
// train/test split is known before features are computed. Pure given its source.
import { datasetNotes, type DatasetEpisode, type DatasetSpec } from '../learn/dataset.js';
import { sampleTimes } from '../learn/features.js';
import { censoredCount, episodesOf } from '../learn/labels.js';
import type { TrainingSource } from './source.js';

/** An asset that yields rows: its half-open ranges of rows and of episodes in the plan. */
export interface PlannedAsset<A> {
  readonly asset: A;
  readonly rows: readonly [number, number];
  readonly episodes: readonly [number, number];
}

export interface Plan<A> {
  readonly sensors: string[];
  /** Assets with at least one row, in name order (the dataset's row order). */
  readonly assets: Array<PlannedAsset<A>>;
  /** Exactly the episodes buildDataset would list, with the same ids and row ranges. */
  readonly episodes: DatasetEpisode[];
  readonly n: number;
  readonly skipped: Record<string, number>;
  readonly notes: string[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Cuts every asset into episodes and counts the samples of each, with the rules buildDataset
 * applies (labels.ts episodes, features.ts sample times); pass 2 checks that it agrees.
 */
export function planDataset<A extends { readonly name: string }>(source: TrainingSource<A>, spec: DatasetSpec): Plan<A> {
  const all = source.assets().sort((a, b) => byName(a.name, b.name));
  const sensors = spec.sensors !== undefined ? [...new Set(spec.sensors)] : source.sensors(all);
  const skipped: Record<string, number> = {};
  const bump = (reason: string, by = 1): void => {
    if (by > 0) skipped[reason] = (skipped[reason] ?? 0) + by;
  };
  const assets: Array<PlannedAsset<A>> = [];
  const episodes: DatasetEpisode[] = [];
  let n = 0;
  for (const asset of all) {
    const times = source.readingTimes(asset, sensors);
    const cut = episodesOf(times, source.faults(asset), spec.horizonS);
    bump('censored_readings', censoredCount(times, cut));
    if (cut.length === 0) {
      bump('assets_without_labelled_episode');
      continue;
    }
    const firstRow = n;
    const firstEpisode = episodes.length;
    for (const e of cut) {
      const count = sampleTimes(times, e.start, e.end, spec.strideMs, spec.windowMs, spec.requireFullWindow).length;
      if (count === 0) {
        bump('episodes_shorter_than_window');
        continue;
      }
      episodes.push({ id: `${asset.name}#${e.index}`, asset: asset.name, index: e.index, start: e.start, end: e.end, faultTs: e.faultTs, rows: [n, n + count] });
      n += count;
    }
    if (n > firstRow) assets.push({ asset, rows: [firstRow, n], episodes: [firstEpisode, episodes.length] });
  }
  return { sensors, assets, episodes, n, skipped, notes: datasetNotes(skipped, n, episodes.length) };
}

