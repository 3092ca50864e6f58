// Finds the operating regimes in the training data when `model.conditions` names fields, and each
// sensor's scale within them: one or two passes over the buffer, made only when a recipe is made.
import type { Recipe, RegimesModel } from '../learn/recipe.js';
import { RegimeScalingSums } from '../learn/regime-scaling.js';
import { findRegimes, regimeOf, type RegimeModel } from '../learn/regimes.js';
import type { TrainingSource } from './source.js';

/** k-means gets at most this many condition vectors, every k-th of them: enough, and bounded memory. */
const MAX_VECTORS = 100_000;

export interface FoundRegimes {
  readonly model: RegimesModel;
  /** For the model card; empty when no condition fields are named. */
  readonly note: string;
}

/**
 * Each sensor's mean and spread, within each operating regime when `model.conditions` names fields
 * and they show clear operating points. Every reading is compared as z: a sensor's drift then
 * weighs by its own spread, and the squares are centred on the fleet's typical value rather than
 * on zero (x² of a reading of 9050 ± 20 is all but a copy of x, and the ridge's penalty would
 * smother the curvature; z² is not).
 */
export function fitRegimesFrom<A extends { readonly name: string }>(source: TrainingSource<A>, assets: readonly A[], recipe: Recipe): FoundRegimes {
  const conditions = recipe.conditions;
  const regimes = conditions.length > 0 ? findRegimesFrom(source, assets, conditions) : null;
  const several = regimes !== null && regimes.centroids.length > 1 ? regimes : null;
  const sums = new RegimeScalingSums(several?.centroids.length ?? 1, recipe.sensors);
  const index = new Map(recipe.sensors.map((s, j) => [s, j]));
  const names = [...recipe.sensors, ...conditions];
  for (const asset of assets) {
    const held = new Float64Array(conditions.length).fill(NaN);
    for (const [, readings] of source.events(asset, names, -Infinity, Infinity)) {
      hold(held, conditions, readings);
      const regime = several ? regimeOf(several, held) : 0;
      if (regime === null) continue;
      for (const [name, value] of readings) {
        const j = index.get(name);
        if (j !== undefined) sums.add(regime, j, value);
      }
    }
  }
  const model = { regimes: several, scaling: sums.finish() };
  if (regimes === null) return { model, note: '' };
  const silhouette = regimes.silhouette === null ? '' : ` (silhouette ${regimes.silhouette.toFixed(2)}; regimes are kept above 0.8)`;
  const note = several
    ? `${several.centroids.length} operating regimes in ${conditions.join(', ')}${silhouette}: each sensor is compared within its regime`
    : `one operating regime in ${conditions.join(', ')}${silhouette}: each sensor is compared over all readings`;
  return { model, note };
}

/** k-means over the held condition values, every k-th reading of the training data. */
function findRegimesFrom<A extends { readonly name: string }>(source: TrainingSource<A>, assets: readonly A[], conditions: readonly string[]): RegimeModel {
  const total = assets.reduce((sum, a) => sum + source.readingTimes(a, conditions).length, 0);
  const every = Math.max(1, Math.ceil(total / MAX_VECTORS));
  const vectors: number[] = [];
  let seen = 0;
  for (const asset of assets) {
    const held = new Float64Array(conditions.length).fill(NaN);
    for (const [, readings] of source.events(asset, conditions, -Infinity, Infinity)) {
      hold(held, conditions, readings);
      if (seen++ % every === 0 && held.every(Number.isFinite)) vectors.push(...held);
    }
  }
  return findRegimes(Float64Array.from(vectors), conditions);
}

/** The latest value of each condition field, as the feature stream holds them. */
function hold(held: Float64Array, conditions: readonly string[], readings: ReadonlyArray<readonly [string, number]>): void {
  for (const [name, value] of readings) {
    const c = conditions.indexOf(name);
    if (c >= 0) held[c] = value;
  }
}
