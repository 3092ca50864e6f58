// One retrain, start to finish: the recipe (made once, then reused), the statistics of every episode
// that is new or still open (the rest come from the cache), then the fit, the evaluation, the gate
// and the model card, all from sums. Reads through a TrainingSource and an EpisodeStore; never the
// registry (the trainer's main thread stores the outcome).
import { createHash } from 'node:crypto';
import type { FleetStats } from '../fleet/types.js';
import type { RowSample, EpisodeRecord } from '../learn/episode-stats.js';
import { GramSum, type Gram } from '../learn/gram.js';
import type { RidgeModel } from '../learn/linear.js';
import type { ServingModel } from '../learn/model.js';
import { normalizerOf } from '../learn/normalizer.js';
import { featureNames, recipeHash, type Recipe } from '../learn/recipe.js';
import { assetPass } from './asset-pass.js';
import { modelCard, type ModelCard } from './card.js';
import { evaluate, linearMetrics, neverSeen, type Comparison, type Unit, type UnitSource } from './evaluate.js';
import { makeRecipe, recipeConfigKey, type MadeRecipe, type ModelConfig } from './recipe-fit.js';
import type { TrainingSource } from './source.js';

export type { ModelConfig } from './recipe-fit.js';

/** Where a retrain keeps what it computed of each episode (store/episode-cache.ts, or memory in tests). */
export interface EpisodeStore {
  recipe(config: string): { hash: string; recipe: Recipe; samples: number } | null;
  putRecipe(config: string, made: { hash: string; recipe: Recipe; madeAt: number; samples: number }): void;
  ofAsset(recipe: string, asset: string): Map<string, EpisodeRecord>;
  update(recipe: string, asset: string, records: readonly EpisodeRecord[], removed: readonly string[]): void;
  episodes(recipe: string): Array<{ asset: string; key: string; start: number; end: number; rows: number; incomplete: number }>;
  gram(recipe: string, episode: { asset: string; key: string }): Gram | null;
  sample(recipe: string, episode: { asset: string; key: string }): RowSample | null;
}

export interface JobInput {
  readonly model: ModelConfig;
  /** The model serving now; null when there is none. */
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
  /** Milliseconds per step. */
  readonly timings: Record<string, number>;
  /** What this agent shares with its fleet after this retrain (fleet.share, issue 15); absent or null: nothing. */
  readonly fleet?: FleetStats | null;
}

/**
 * Trains a challenger. Throws NotEnoughDataError when the episodes hold fewer than model.min_samples
 * labelled samples or fewer than 2 episodes (the split needs one to hold out).
 */
export function runJob<A extends { readonly name: string }>(source: TrainingSource<A>, store: EpisodeStore, input: JobInput, clock: () => number = () => performance.now()): JobOutcome {
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
  const made = step('recipe', () => recipeFor(source, store, config, input.now));
  const { recipe, hash } = made;
  const normalizer = normalizerOf(recipe);
  const names = [...recipe.sensors, ...recipe.conditions];
  step('episodes', () => {
    for (const asset of source.assets()) {
      // Each asset reads one consistent view of its readings, and only what it has not seen yet.
      const out = source.snapshot(() =>
        assetPass(recipe, normalizer, {
          asset: asset.name,
          faults: source.faults(asset),
          lastDataTs: source.newest(asset, names),
          cached: store.ofAsset(hash, asset.name),
          read: (from, to) => source.events(asset, names, from, to),
        }),
      );
      if (out.records.length > 0 || out.removed.length > 0) store.update(hash, asset.name, out.records, out.removed);
    }
  });
  const units: Unit[] = store.episodes(hash).map((e) => ({ ...e, own: true }));
  const unitSource: UnitSource = { gram: (u) => store.gram(hash, u), sample: (u) => store.sample(hash, u) };
  const columns = featureNames(recipe);
  const sameRecipe = champion !== null && recipeHash(champion.recipe) === hash;
  const evaluation = evaluate(units, unitSource, {
    featureNames: columns,
    horizonS: recipe.horizonS,
    ridge: config.ridge,
    testFraction: config.test_fraction,
    minSamples: config.min_samples,
    championVersion: champion?.version ?? null,
    champion: sameRecipe ? champion : null,
    ...(champion !== null && !sameRecipe ? { compareOther: (test: readonly Unit[], challenger: RidgeModel) => compareOtherRecipe(source, store, hash, champion, test, challenger) } : {}),
    step,
  });
  const served: ServingModel = {
    format: 2,
    version: '',
    trainedAt: input.now,
    horizonS: recipe.horizonS,
    recipe,
    ridge: evaluation.served,
    calibration: evaluation.servedCalibration,
    alpha: evaluation.penalty.alpha,
    seen: evaluation.seen,
    rmse: Number.isFinite(evaluation.challenger.rmse) ? evaluation.challenger.rmse : null,
  };
  const dataHash = hashUnits(hash, units);
  const card = modelCard(evaluation, { trainedAt: input.now, durationMs: clock() - started, recipe, recipeHash: hash, recipeNotes: made.notes, units, dataHash });
  return { card, model: served, promoted: evaluation.promoted, dataHash, trainedAt: input.now, timings };
}

/** The stored recipe for this config, or a new one when there is none, the sensors changed, or the data grew fourfold. */
function recipeFor<A extends { readonly name: string }>(source: TrainingSource<A>, store: EpisodeStore, config: ModelConfig, now: number): MadeRecipe {
  const key = recipeConfigKey(config);
  const stored = store.recipe(key);
  if (stored !== null) {
    const sensors = source.sensors(source.assets()).filter((s) => !stored.recipe.conditions.includes(s));
    const samples = store.episodes(stored.hash).reduce((sum, e) => sum + e.rows, 0);
    // The sensors it was made from, constant ones included: a sensor that starts to vary is news.
    const madeFrom = stored.recipe.regimes?.scaling.sensors ?? stored.recipe.sensors;
    const sameSensors = sensors.length === madeFrom.length && sensors.every((s, i) => s === madeFrom[i]);
    // The sensors' scales (and stride: auto) are derived from the data: remade as it grows.
    if (sameSensors && samples < 4 * Math.max(1, stored.samples)) return { ...stored, notes: [] };
  }
  const made = makeRecipe(source, config);
  store.putRecipe(key, { hash: made.hash, recipe: made.recipe, madeAt: now, samples: made.samples });
  return made;
}

/**
 * A champion of another recipe (the config changed, or an earlier release made it): both models on
 * this gateway's test episodes that the champion never saw, each on its own recipe's rows of them.
 */
function compareOtherRecipe<A extends { readonly name: string }>(
  source: TrainingSource<A>,
  store: EpisodeStore,
  hash: string,
  champion: ServingModel,
  test: readonly Unit[],
  challenger: RidgeModel,
): Comparison | null {
  const chosen = test.filter((u) => u.own && neverSeen(champion, u));
  const theirs = championStatistics(source, champion, chosen);
  const ours = new GramSum(challenger.coef.length);
  for (const u of chosen) {
    const g = store.gram(hash, u);
    if (g) ours.addGram(g);
  }
  if (theirs === null || ours.n === 0) return null;
  return { version: champion.version, method: 'unseen', episodes: chosen.length, champion: linearMetrics(theirs, alignedToRecipe(champion)), challenger: linearMetrics(ours.toGram(), challenger) };
}

/** The sums of the chosen episodes' rows under the champion's own recipe, computed from the buffer. */
function championStatistics<A extends { readonly name: string }>(source: TrainingSource<A>, champion: ServingModel, chosen: readonly Unit[]): Gram | null {
  const { recipe } = champion;
  const normalizer = normalizerOf(recipe);
  const names = [...recipe.sensors, ...recipe.conditions];
  const total = new GramSum(featureNames(recipe).length);
  for (const asset of source.assets()) {
    const keys = new Set(chosen.filter((u) => u.asset === asset.name).map((u) => u.key));
    if (keys.size === 0) continue;
    const out = source.snapshot(() =>
      assetPass(recipe, normalizer, {
        asset: asset.name,
        faults: source.faults(asset),
        lastDataTs: source.newest(asset, names),
        cached: new Map(),
        read: (from, to) => source.events(asset, names, from, to),
      }),
    );
    for (const r of out.records) if (keys.has(r.key) && r.gram) total.addGram(r.gram);
  }
  return total.n > 0 ? total.toGram() : null;
}

/** The champion's intercept and coefficients over every feature of its recipe (0 where it has none). */
function alignedToRecipe(model: ServingModel): Pick<RidgeModel, 'intercept' | 'coef'> {
  const coef = new Map(model.ridge.featureNames.map((name, j) => [name, model.ridge.coef[j] as number]));
  return { intercept: model.ridge.intercept, coef: featureNames(model.recipe).map((name) => coef.get(name) ?? 0) };
}

/** sha256 of what the fit saw: the recipe and each episode's row count. */
function hashUnits(hash: string, units: readonly Unit[]): string {
  const h = createHash('sha256').update(hash);
  for (const u of units) h.update(`${u.asset}\u0000${u.key}\u0000${u.rows}\n`);
  return `sha256:${h.digest('hex')}`;
}
