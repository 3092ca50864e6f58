// One retrain, start to finish: the recipe (made once, then reused), the statistics of every episode
// that is new or still open (the rest come from the cache), then the fit, the evaluation, the gate
// and the model card, all from sums. Reads through a TrainingSource and an EpisodeStore; never the
// registry (the trainer's main thread stores the outcome).
import { createHash } from 'node:crypto';
import type { RowSample, EpisodeRecord } from '../learn/episode-stats.js';
import { GramSum, type Gram } from '../learn/gram.js';
import type { RidgeModel } from '../learn/linear.js';
import type { ServingModel } from '../learn/model.js';
import { normalizerOf } from '../learn/normalizer.js';
import { featureNames, recipeHash, type Recipe } from '../learn/recipe.js';
import { assetPass } from './asset-pass.js';
import { modelCard, type ModelCard } from './card.js';
import { NotEnoughDataError } from './errors.js';
import { evaluate, linearMetrics, neverSeen, type Comparison, type Evaluation, type Unit, type UnitSource } from './evaluate.js';
import { fleetView, type FleetView, type OwnEpisode } from './fleet-view.js';
import { FLEET_STATS_VERSION, type FleetStats, type RecipeBasis, type RowAggregates } from '../fleet/types.js';
import { takeBasis } from './basis.js';
import { recipeConfigKey, recipeFromBases, type MadeRecipe, type MemberBasis, type ModelConfig } from './recipe-fit.js';
import type { TrainingSource } from './source.js';

export type { ModelConfig } from './recipe-fit.js';

/** A recipe as stored, with this gateway's basis when it was made. */
export interface StoredRecipe {
  readonly hash: string;
  readonly recipe: Recipe;
  readonly madeAt: number;
  readonly basis: RecipeBasis;
}

/** Where a retrain keeps what it computed of each episode (store/episode-cache.ts, or memory in tests). */
export interface EpisodeStore {
  recipe(config: string): StoredRecipe | null;
  putRecipe(config: string, made: StoredRecipe): void;
  ofAsset(recipe: string, asset: string): Map<string, EpisodeRecord>;
  update(recipe: string, asset: string, records: readonly EpisodeRecord[], removed: readonly string[]): void;
  episodes(recipe: string): OwnEpisode[];
  gram(recipe: string, episode: { asset: string; key: string }): Gram | null;
  sample(recipe: string, episode: { asset: string; key: string }): RowSample | null;
}

/** A retrain in a fleet: this agent's name in it, the members' latest statistics, and whether to share its own. */
export interface FleetJob {
  readonly id: string;
  readonly agent: string;
  readonly members: readonly FleetStats[];
  readonly share: boolean;
  /** How long a member that sent nothing is waited for: a fit is promoted only once the members it uses, but those silent longer, have scored it. */
  readonly waitMs: number;
}

export interface JobInput {
  readonly model: ModelConfig;
  /** Absent outside a fleet. With no members (it only shares), the fit is this gateway's alone. */
  readonly fleet?: FleetJob;
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
  /** What to publish to the fleet, when sharing. */
  readonly fleet: FleetStats | null;
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
  const { model: config, champion, fleet } = input;
  const self = fleet?.agent ?? '';
  const bases = (fleet?.members ?? []).filter((m) => m.agent !== self).map((m) => ({ agent: m.agent, basis: m.basis }));
  const made = step('recipe', () => recipeFor(source, store, config, input.now, self, bases));
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
  const own = store.episodes(hash);
  const view = fleet ? fleetView(self, hash, recipeConfigKey(config), own, { gram: (e) => store.gram(hash, e), sample: (e) => store.sample(hash, e) }, fleet.members) : null;
  const units: Unit[] = view?.units ?? own.map((e) => ({ ...e, own: true }));
  const unitSource: UnitSource = view?.source ?? { gram: (u) => store.gram(hash, u), sample: (u) => store.sample(hash, u) };
  const shared = (aggregates: RowAggregates | null): FleetStats | null =>
    fleet?.share && view ? { v: FLEET_STATS_VERSION, fleet: fleet.id, agent: self, sentAt: input.now, basis: made.basis, recipe: { hash, recipe }, episodes: view.shared, aggregates } : null;
  const columns = featureNames(recipe);
  const sameRecipe = champion !== null && recipeHash(champion.recipe) === hash;
  let evaluation: Evaluation;
  try {
    evaluation = evaluate(units, unitSource, {
      featureNames: columns,
      horizonS: recipe.horizonS,
      ridge: config.ridge,
      testFraction: config.test_fraction,
      minSamples: config.min_samples,
      championVersion: champion?.version ?? null,
      champion: sameRecipe ? champion : null,
      ...(champion !== null && !sameRecipe ? { compareOther: (test: readonly Unit[], challenger: RidgeModel) => compareOtherRecipe(source, store, hash, champion, test, challenger) } : {}),
      ...(view && fleet ? { fleet: { fit: view.fit, members: fleetAggregates(fleet.members, self, view.fit), waitingFor: waitingFor(view, fleet, input.now) } } : {}),
      step,
    });
  } catch (error) {
    // Too little to fit here is no reason to keep what there is from the fleet.
    if (error instanceof NotEnoughDataError && view) throw error.sharing(shared(null));
    throw error;
  }
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
    ...(view && evaluation.fleet ? { fleet: { fit: view.fit, calibrationRows: evaluation.fleet.calibrationRows } } : {}),
  };
  const dataHash = hashUnits(hash, units);
  const card = modelCard(evaluation, { trainedAt: input.now, durationMs: clock() - started, recipe, recipeHash: hash, recipeNotes: made.notes, units, dataHash, fleet: view });
  return { card, model: served, promoted: evaluation.promoted, dataHash, trainedAt: input.now, timings, fleet: shared(evaluation.fleet?.aggregates ?? null) };
}

/** Members whose episodes the fit uses but who have not scored it yet, unless silent longer than the wait. */
function waitingFor(view: FleetView, fleet: FleetJob, now: number): string[] {
  const scored = new Set(fleet.members.filter((m) => m.aggregates?.fit === view.fit || now - m.sentAt > fleet.waitMs).map((m) => m.agent));
  return view.members.map((m) => m.agent).filter((agent) => agent !== fleet.agent && !scored.has(agent));
}

/** The members' row sums for this very fit; a member that fitted other episodes has none to give yet. */
function fleetAggregates(members: readonly FleetStats[], self: string, fit: string): RowAggregates[] {
  return members.flatMap((m) => (m.agent !== self && m.aggregates !== null && m.aggregates.fit === fit ? [m.aggregates] : []));
}

/**
 * The recipe for this config: from this gateway's basis and, in a fleet, every member's basis made
 * for the same config. The own basis is kept until the sensors change or the labelled samples grow
 * fourfold; the recipe changes only when a basis does, and a new recipe drops the old statistics.
 */
function recipeFor<A extends { readonly name: string }>(
  source: TrainingSource<A>,
  store: EpisodeStore,
  config: ModelConfig,
  now: number,
  self: string,
  members: readonly MemberBasis[],
): MadeRecipe & { readonly basis: RecipeBasis } {
  const key = recipeConfigKey(config);
  const stored = store.recipe(key);
  const others = members.filter((m) => m.basis.configKey === key);
  let basis = stored !== null && stillHolds(source, store, config, stored) ? stored.basis : takeBasis(source, config, key);
  let made = recipeFromBases(config, [{ agent: self, basis }, ...others]);
  if (basis.momentsIn !== made.regimesKey) {
    // The fleet's regimes are another member's: this gateway's moments are taken within them.
    basis = takeBasis(source, config, key, made.regimes);
    made = recipeFromBases(config, [{ agent: self, basis }, ...others]);
  }
  if (stored === null || stored.hash !== made.hash || stored.basis !== basis) store.putRecipe(key, { hash: made.hash, recipe: made.recipe, madeAt: now, basis });
  return { ...made, basis };
}

/** Whether a stored basis still describes the data: the same sensors, and less than fourfold the samples. */
function stillHolds<A extends { readonly name: string }>(source: TrainingSource<A>, store: EpisodeStore, config: ModelConfig, stored: StoredRecipe): boolean {
  const sensors = source.sensors(source.assets()).filter((s) => !config.conditions.includes(s));
  const own = stored.basis.sensors;
  const samples = store.episodes(stored.hash).reduce((sum, e) => sum + e.rows, 0);
  return sensors.length === own.length && sensors.every((s, i) => s === own[i]) && samples < 4 * Math.max(1, stored.basis.samples);
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
