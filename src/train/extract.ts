// Pass 2 of a retrain: the feature matrix, asset by asset through buildDataset, copied into one
// array the plan sized; and the champion's predictions on the held-out rows, computed while that
// asset's readings are in memory. Holds one asset's readings at a time, never all of them.
import { buildDataset, type Dataset, type DatasetSpec } from '../learn/dataset.js';
import { candidateFeatures } from '../learn/features.js';
import { predictAt, type ServingModel } from '../learn/model.js';
import type { Plan } from './plan.js';
import type { TrainingSource } from './source.js';

/** The champion's predictions on the rows it was asked to score. */
export interface ChampionScores {
  /** Per dataset row: time to fault in seconds; NaN where it could not predict or was not asked. */
  readonly predictions: Float64Array;
  /** Rows it was asked to score. */
  readonly asked: number;
  /** Each feature it could not compute, with the number of asked rows that lacked it. */
  readonly missing: Record<string, number>;
}

export interface Extraction {
  readonly dataset: Dataset;
  readonly champion: ChampionScores | null;
}

export interface ExtractOptions {
  /** The model serving now, to be scored on the rows of `scoreEpisodes`; null when there is none. */
  readonly champion: ServingModel | null;
  /** Indices into plan.episodes whose rows the champion predicts (the held-out episodes). */
  readonly scoreEpisodes: ReadonlySet<number>;
}

/** Thrown when pass 2 finds other rows than pass 1 counted: a bug, or data read outside one snapshot. */
export class PlanMismatchError extends Error {
  override name = 'PlanMismatchError';
}

export function extractDataset<A extends { readonly name: string }>(
  source: TrainingSource<A>,
  plan: Plan<A>,
  spec: DatasetSpec,
  options: ExtractOptions,
): Extraction {
  const featureNames = candidateFeatures(plan.sensors, spec.stats);
  const p = featureNames.length;
  const n = plan.n;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  const rowTs = new Float64Array(n);
  const rowEpisode = new Int32Array(n);
  const scores = options.champion === null ? null : { predictions: new Float64Array(n).fill(NaN), asked: 0, missing: {} as Record<string, number> };
  for (const planned of plan.assets) {
    const history = source.history(planned.asset, plan.sensors);
    const part = buildDataset([history], { ...spec, sensors: plan.sensors });
    const [from, to] = planned.rows;
    const [firstEpisode, lastEpisode] = planned.episodes;
    checkPart(part, plan, planned.asset.name, to - from, firstEpisode, lastEpisode);
    // Rows are row-major with the same columns, so an asset's block is one contiguous copy.
    X.set(part.X, from * p);
    y.set(part.y, from);
    rowTs.set(part.rowTs, from);
    for (let i = 0; i < part.n; i++) rowEpisode[from + i] = firstEpisode + (part.rowEpisode[i] as number);
    if (scores === null || options.champion === null) continue;
    for (let e = firstEpisode; e < lastEpisode; e++) {
      if (!options.scoreEpisodes.has(e)) continue;
      const episode = plan.episodes[e]!;
      for (let r = episode.rows[0]; r < episode.rows[1]; r++) {
        scores.asked++;
        const result = predictAt(options.champion, history.series, rowTs[r] as number, episode.start, 0);
        if ('prediction' in result) scores.predictions[r] = result.prediction.timeToFaultS;
        else for (const name of result.missing) scores.missing[name] = (scores.missing[name] ?? 0) + 1;
      }
    }
  }
  const dataset: Dataset = { featureNames, X, y, n, p, rowEpisode, rowTs, episodes: plan.episodes, notes: plan.notes, skipped: plan.skipped };
  return { dataset, champion: scores };
}

function checkPart<A>(part: Dataset, plan: Plan<A>, asset: string, rows: number, firstEpisode: number, lastEpisode: number): void {
  const agrees =
    part.n === rows &&
    part.episodes.length === lastEpisode - firstEpisode &&
    part.episodes.every((e, k) => {
      const planned = plan.episodes[firstEpisode + k];
      return (
        planned !== undefined &&
        planned.id === e.id &&
        planned.start === e.start &&
        planned.end === e.end &&
        planned.rows[1] - planned.rows[0] === e.rows[1] - e.rows[0]
      );
    });
  if (!agrees) {
    throw new PlanMismatchError(`asset ${asset}: the readings gave ${part.n} samples in pass 2 but ${rows} in pass 1; training must read one snapshot`);
  }
}
