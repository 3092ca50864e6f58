// One retrain, start to finish: plan the dataset, extract features, split by episode, fit, score the
// challenger beside the champion and the baseline, decide promotion, build the model card. Reads
// only through a TrainingSource; writes nothing (the trainer's main thread stores the outcome).
import type { Config } from '../config/schema.js';
import type { DatasetSpec } from '../learn/dataset.js';
import { defaultMaxGapMs } from '../learn/features.js';
import type { ServingModel } from '../learn/model.js';
import { splitByEpisode } from '../learn/split.js';
import { modelCard, type ModelCard } from './card.js';
import { NotEnoughDataError } from './errors.js';
import { evaluate } from './evaluate.js';
import { extractDataset } from './extract.js';
import { planDataset } from './plan.js';
import type { TrainingSource } from './source.js';

export type ModelConfig = Config['model'];

export interface JobInput {
  readonly model: ModelConfig;
  /** The model serving now, scored on the same held-out samples; null when there is none. */
  readonly champion: ServingModel | null;
  /** trained_at, epoch ms. */
  readonly now: number;
}

export interface JobOutcome {
  /** version is null: the registry assigns it. */
  readonly card: ModelCard;
  /** What live prediction loads; version is '' until the registry assigns it. */
  readonly model: ServingModel;
  readonly promoted: boolean;
  readonly dataHash: string;
  readonly trainedAt: number;
  /** Milliseconds per step: plan, extract, select, pack, lambda, fit, refit, hash. */
  readonly timings: Record<string, number>;
}

/** The dataset rules of the `model` config section; durations there are already milliseconds. */
export function datasetSpec(model: ModelConfig, sensors?: readonly string[]): DatasetSpec {
  return {
    horizonS: model.horizon / 1000,
    windowMs: model.window,
    strideMs: model.stride,
    maxGapMs: model.max_gap === 'auto' ? defaultMaxGapMs(model.window) : model.max_gap,
    requireFullWindow: model.full_window,
    stats: model.features,
    ...(sensors !== undefined ? { sensors } : {}),
  };
}

/**
 * Trains a challenger from `source`. Throws NotEnoughDataError when the buffer holds fewer than
 * model.min_samples labelled samples or fewer than 2 episodes (the split needs one to hold out).
 */
export function runJob<A extends { readonly name: string }>(source: TrainingSource<A>, input: JobInput, clock: () => number = () => performance.now()): JobOutcome {
  const started = clock();
  const timings: Record<string, number> = {};
  const step = <T>(name: string, fn: () => T): T => {
    const t = clock();
    try {
      return fn();
    } finally {
      timings[name] = (timings[name] ?? 0) + (clock() - t);
    }
  };
  const { model: config, champion } = input;
  const spec = datasetSpec(config);
  // Both passes read one snapshot, and only they do: on the buffer, an open snapshot keeps the WAL
  // from restarting, so it grows with ingest until the snapshot ends (store/wal-release.ts).
  const { plan, split, dataset, scores } = source.snapshot(() => {
    const plan = step('plan', () => planDataset(source, spec));
    if (plan.n < config.min_samples || plan.episodes.length < 2) {
      throw new NotEnoughDataError(plan.n, plan.episodes.length, config.min_samples);
    }
    const split = splitByEpisode(plan.episodes, config.test_fraction);
    const testIndex = new Map(plan.episodes.map((e, i) => [e, i]));
    const scoreEpisodes = new Set(split.test.map((e) => testIndex.get(e) as number));
    const { dataset, champion: scores } = step('extract', () => extractDataset(source, plan, spec, { champion, scoreEpisodes }));
    return { plan, split, dataset, scores };
  });
  const evaluation = evaluate(dataset, split, {
    horizonS: spec.horizonS,
    ridge: config.ridge,
    minSamples: config.min_samples,
    champion: champion === null || scores === null ? null : { version: champion.version, scores },
    step,
  });
  const served: ServingModel = {
    version: '',
    trainedAt: input.now,
    horizonS: spec.horizonS,
    spec: { windowMs: spec.windowMs, maxGapMs: spec.maxGapMs, requireFullWindow: spec.requireFullWindow },
    ridge: evaluation.served,
    rmse: Number.isFinite(evaluation.challenger.rmse) ? evaluation.challenger.rmse : null,
  };
  const card = modelCard(evaluation, {
    trainedAt: input.now,
    durationMs: clock() - started,
    horizonS: spec.horizonS,
    windowMs: spec.windowMs,
    strideMs: spec.strideMs,
    maxGapMs: spec.maxGapMs,
    requireFullWindow: spec.requireFullWindow,
    train: split.train,
    test: split.test,
    datasetNotes: plan.notes,
  });
  return { card, model: served, promoted: evaluation.promoted, dataHash: evaluation.dataHash, trainedAt: input.now, timings };
}
