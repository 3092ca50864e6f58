// The training table: assets' readings and faults → labelled feature rows grouped by episode.
// Pure; takes data in memory and returns typed arrays. Feature selection lives in selection.ts.

import { censoredCount, episodesOf, labelAt } from './labels.js';
import { candidateFeatures, sampleTimes, slidingWindowStats } from './features.js';
import type { Episode, FeatureStat, Series, SensorSeries } from './types.js';

export { selectFeatures, takeRows } from './selection.js';
export type { FeatureSelection, SelectionOptions, Design } from './selection.js';

/** One asset's history as the store hands it over. Times in epoch ms. */
export interface AssetHistory {
  readonly asset: string;
  readonly series: SensorSeries;
  readonly faults: readonly number[];
}

export interface DatasetSpec {
  /** H: labels are capped at H seconds. */
  readonly horizonS: number;
  readonly windowMs: number;
  /** At most one sample per stride per asset. */
  readonly strideMs: number;
  readonly maxGapMs: number;
  readonly requireFullWindow: boolean;
  readonly stats: readonly FeatureStat[];
  /** Sensors to use; default every sensor seen in any asset, sorted by name. */
  readonly sensors?: readonly string[];
}

/** An episode that produced rows; `rows` is the half-open range [from, to) of its rows. */
export interface DatasetEpisode {
  readonly id: string;
  readonly asset: string;
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly faultTs: number | null;
  readonly rows: readonly [number, number];
}

export interface Dataset {
  readonly featureNames: string[];
  /** n × p, row-major; NaN marks a missing feature. */
  readonly X: Float64Array;
  /** Time to fault in seconds, in [0, H]. */
  readonly y: Float64Array;
  readonly n: number;
  readonly p: number;
  /** Index into `episodes` for each row. */
  readonly rowEpisode: Int32Array;
  /** Sample time (epoch ms) of each row. */
  readonly rowTs: Float64Array;
  readonly episodes: DatasetEpisode[];
  /** Human-readable remarks for the model card. */
  readonly notes: string[];
  /** What was left out, by reason: counts of readings, episodes or assets as named. */
  readonly skipped: Record<string, number>;
}

/** Every sensor seen in any asset, sorted by name (sorted so column order is stable). */
export function sensorsOf(assets: readonly AssetHistory[]): string[] {
  const names = new Set<string>();
  for (const a of assets) for (const s of a.series.keys()) names.add(s);
  return [...names].sort();
}

/** Distinct reading times of the given sensors of one asset, sorted ascending. */
export function readingTimesOf(series: SensorSeries, sensors: readonly string[]): number[] {
  const total = sensors.reduce((sum, s) => sum + (series.get(s)?.ts.length ?? 0), 0);
  const times = new Float64Array(total);
  let k = 0;
  for (const s of sensors) {
    const ts = series.get(s)?.ts ?? [];
    for (let i = 0; i < ts.length; i++) times[k++] = ts[i] as number;
  }
  times.sort(); // a typed array sorts numerically, several times faster than a comparator
  const out: number[] = [];
  for (let i = 0; i < total; i++) if (i === 0 || times[i] !== times[i - 1]) out.push(times[i] as number);
  return out;
}

/** One asset's contribution before it is copied into the shared arrays. */
interface AssetBlock {
  asset: string;
  times: number[];
  labels: number[];
  episodes: Array<{ episode: Episode; count: number }>;
  columns: Float64Array[];
}

function bump(skipped: Record<string, number>, reason: string, by = 1): void {
  if (by > 0) skipped[reason] = (skipped[reason] ?? 0) + by;
}

/** Sample times, labels and feature columns of one asset; null when it yields no rows. */
function assetBlock(
  history: AssetHistory,
  sensors: readonly string[],
  spec: DatasetSpec,
  featureCount: number,
  skipped: Record<string, number>,
): AssetBlock | null {
  const readingTimes = readingTimesOf(history.series, sensors);
  const episodes = episodesOf(readingTimes, history.faults, spec.horizonS);
  bump(skipped, 'censored_readings', censoredCount(readingTimes, episodes));
  if (episodes.length === 0) {
    bump(skipped, 'assets_without_labelled_episode');
    return null;
  }
  const lastDataTs = readingTimes[readingTimes.length - 1] as number;
  const block: AssetBlock = { asset: history.asset, times: [], labels: [], episodes: [], columns: [] };
  for (const episode of episodes) {
    const times = sampleTimes(readingTimes, episode.start, episode.end, spec.strideMs, spec.windowMs, spec.requireFullWindow);
    if (times.length === 0) {
      bump(skipped, 'episodes_shorter_than_window');
      continue;
    }
    for (const t of times) {
      // Every sample time lies inside a labelled episode, so the label is never censored here.
      block.labels.push(labelAt(t, episode.faultTs, lastDataTs, spec.horizonS) as number);
      block.times.push(t);
    }
    block.episodes.push({ episode, count: times.length });
  }
  if (block.times.length === 0) return null;
  block.columns = featureColumns(history.series, sensors, spec, block.times, featureCount);
  return block;
}

/** Column-major features of one asset at `times`, in candidateFeatures order. */
function featureColumns(
  series: SensorSeries,
  sensors: readonly string[],
  spec: DatasetSpec,
  times: readonly number[],
  featureCount: number,
): Float64Array[] {
  const columns: Float64Array[] = [];
  const empty: Series = { ts: [], value: [] };
  for (const sensor of sensors) {
    const stats = slidingWindowStats(series.get(sensor) ?? empty, times, spec.windowMs, spec.maxGapMs);
    for (const stat of new Set(spec.stats)) columns.push(stats[stat]);
  }
  if (columns.length !== featureCount) throw new Error('feature columns do not match feature names');
  return columns;
}

/**
 * Labels, episodes and window features of every asset. Rows are grouped by asset (sorted by
 * name) and, within an asset, by episode in time order. Episodes without any sample (shorter
 * than the window) and the censored readings are counted in `skipped`, not in `episodes`.
 */
export function buildDataset(assets: readonly AssetHistory[], spec: DatasetSpec): Dataset {
  const sensors = spec.sensors !== undefined ? [...new Set(spec.sensors)] : sensorsOf(assets);
  const featureNames = candidateFeatures(sensors, spec.stats);
  const p = featureNames.length;
  const skipped: Record<string, number> = {};
  const sorted = [...assets].sort((a, b) => (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
  const blocks: AssetBlock[] = [];
  for (const history of sorted) {
    const block = assetBlock(history, sensors, spec, p, skipped);
    if (block !== null) blocks.push(block);
  }
  const n = blocks.reduce((sum, b) => sum + b.times.length, 0);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  const rowTs = new Float64Array(n);
  const rowEpisode = new Int32Array(n);
  const episodes: DatasetEpisode[] = [];
  let row = 0;
  for (const block of blocks) {
    const first = row;
    block.columns.forEach((col, j) => {
      for (let i = 0; i < col.length; i++) X[(first + i) * p + j] = col[i] as number;
    });
    y.set(block.labels, first);
    rowTs.set(block.times, first);
    for (const { episode, count } of block.episodes) {
      const id = `${block.asset}#${episode.index}`;
      episodes.push({ id, asset: block.asset, index: episode.index, start: episode.start, end: episode.end, faultTs: episode.faultTs, rows: [row, row + count] });
      rowEpisode.fill(episodes.length - 1, row, row + count);
      row += count;
    }
  }
  return { featureNames, X, y, n, p, rowEpisode, rowTs, episodes, notes: datasetNotes(skipped, n, episodes.length), skipped };
}

/** The dataset's remarks for the model card. */
export function datasetNotes(skipped: Record<string, number>, n: number, episodeCount: number): string[] {
  const notes = [`${n} samples from ${episodeCount} episodes`];
  const say: Record<string, string> = {
    censored_readings: 'readings unlabelled (censored: no fault and less than the horizon of data after them)',
    episodes_shorter_than_window: 'episodes without a full window of history (no samples)',
    assets_without_labelled_episode: 'assets without a labelled episode',
  };
  for (const [reason, count] of Object.entries(skipped)) notes.push(`${count} ${say[reason] ?? reason}`);
  return notes;
}
