// Makes the feature recipe from the `model` config and one or more bases (basis.ts): this gateway's
// own, or every fleet member's. The sensors, the sample spacing (stride: auto), the operating regimes
// and each sensor's scale all follow from the bases by a fixed rule, so any agent given the same
// bases makes the same recipe. Pure.
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { RecipeBasis } from '../fleet/types.js';
import { DEFAULT_FEATURE_KINDS, halfLivesOf, recipeHash, type Recipe } from '../learn/recipe.js';
import { combineMoments, scalingFromMoments, type Moments } from '../learn/regime-scaling.js';
import type { RegimeModel } from '../learn/regimes.js';
import { MIN_SAMPLES_PER_EPISODE, strideOf } from '../learn/stride.js';
import { regimesKey, severalRegimes } from './basis.js';
import { NoUsableFeatureError } from './errors.js';

export type ModelConfig = Config['model'];

/** A made recipe, with what it was made from. */
export interface MadeRecipe {
  readonly hash: string;
  readonly recipe: Recipe;
  /** Labelled samples the bases had when it was made. */
  readonly samples: number;
  /** The regimes every member's moments must be taken in: '' for one regime. */
  readonly regimesKey: string;
  /** The regime model behind regimesKey (null for one regime). */
  readonly regimes: RegimeModel | null;
  /** Remarks for the model card: the stride chosen and why, the regimes found, the sensors left out. */
  readonly notes: string[];
}

/** A basis and the agent it is from ('' for this gateway outside a fleet). */
export interface MemberBasis {
  readonly agent: string;
  readonly basis: RecipeBasis;
}

/** The config choices a recipe is made from: a change to any of them makes a new recipe. */
export function recipeConfigKey(model: ModelConfig): string {
  const { horizon, window, features, stride, full_window, max_gap, conditions } = model;
  return createHash('sha256').update(JSON.stringify({ horizon, window, features, stride, full_window, max_gap, conditions })).digest('hex').slice(0, 32);
}

/**
 * The recipe from the bases (each made for this config). Sensors: every member's; stride: auto from
 * the members' median spacing (weighted by episodes) and their summed episode time; regimes: those
 * found by the member with the most samples (ties: the first agent id); scales: the members' moments
 * merged in agent-id order, from the members whose moments were taken in those regimes. Sensors that
 * vary nowhere are left out.
 */
export function recipeFromBases(model: ModelConfig, members: readonly MemberBasis[]): MadeRecipe {
  if (members.length === 0) throw new RangeError('recipeFromBases: no basis');
  const conditions = [...model.conditions];
  const kinds = model.features.length > 0 ? [...model.features] : [...DEFAULT_FEATURE_KINDS];
  const windowMs = model.window;
  const sensors = [...new Set(members.flatMap((m) => m.basis.sensors))].sort();
  const notes: string[] = [];
  const strideMs = model.stride === 'auto' ? autoStrideOf(members, notes) : model.stride;
  const leader = [...members].sort((a, b) => b.basis.samples - a.basis.samples || byAgent(a, b))[0] as MemberBasis;
  const found = conditions.length > 0 ? leader.basis.regimes : null;
  const regimes = severalRegimes(found);
  const key = regimesKey(regimes);
  // Merged in agent-id order: floating-point sums depend on their order, and each agent lists its own basis first.
  const scaled = members.filter((m) => m.basis.momentsIn === key).sort(byAgent);
  const scaling = scalingFromMoments(sensors, pooledMoments(sensors, regimes?.centroids.length ?? 1, scaled));
  if (found !== null) notes.push(regimesNote(found, conditions));
  const constant = sensors.filter((_, j) => !scaling.kept[j]);
  if (sensors.length > 0 && constant.length === sensors.length) throw new NoUsableFeatureError([`${sensors.join(', ')}: constant on the training data`]);
  if (constant.length > 0) notes.push(`left out, constant on the training data: ${constant.join(', ')}`);
  const recipe: Recipe = {
    version: 2,
    sensors: sensors.filter((_, j) => scaling.kept[j]),
    conditions,
    kinds,
    windowMs,
    halfLivesMs: kinds.includes('ewma') ? halfLivesOf(windowMs) : [],
    // A sensor silent for the longest half-life has an ewma that no longer describes it.
    staleMs: model.max_gap === 'auto' ? (kinds.includes('ewma') ? 3 * windowMs : windowMs / 2) : model.max_gap,
    maxGapMs: model.max_gap === 'auto' ? windowMs / 2 : model.max_gap,
    strideMs,
    horizonS: model.horizon / 1000,
    requireFullWindow: model.full_window,
    regimes: { regimes, scaling },
  };
  const samples = members.reduce((sum, m) => sum + m.basis.samples, 0);
  return { hash: recipeHash(recipe), recipe, samples, regimesKey: key, regimes, notes };
}

const byAgent = (a: MemberBasis, b: MemberBasis): number => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0);

/** stride: auto over every member's episodes; a minute until an episode has two readings, as earlier releases had. */
function autoStrideOf(members: readonly MemberBasis[], notes: string[]): number {
  const spaced = members.filter((m) => m.basis.intervalMs !== null && m.basis.episodes > 0);
  if (spaced.length === 0) return 60_000;
  const interval = weightedMedian(spaced.map((m) => [m.basis.intervalMs as number, m.basis.episodes]));
  const stride = strideOf(interval, members.reduce((sum, m) => sum + m.basis.durationMs, 0));
  const perEpisode = weightedMedian(spaced.map((m) => [m.basis.medianEpisodeMs, m.basis.episodes])) / stride + 1;
  notes.push(
    `stride auto: ${stride / 1000} s (the readings come every ${interval / 1000} s; ${Math.round(perEpisode)} samples in the median episode)` +
      (perEpisode < MIN_SAMPLES_PER_EPISODE ? '; few samples per episode: set model.stride shorter, or model.window longer' : ''),
  );
  return stride;
}

/** The smallest value whose cumulative weight reaches half the total. */
function weightedMedian(pairs: Array<[number, number]>): number {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  const half = sorted.reduce((sum, [, w]) => sum + w, 0) / 2;
  let seen = 0;
  for (const [value, weight] of sorted) if ((seen += weight) >= half) return value;
  return (sorted[sorted.length - 1] as [number, number])[0];
}

/** moments[r][j] of every sensor, merged over the members in their order. */
function pooledMoments(sensors: readonly string[], regimes: number, members: readonly MemberBasis[]): Moments[][] {
  const empty: Moments = { n: 0, mean: 0, m2: 0 };
  const out = Array.from({ length: regimes }, () => sensors.map(() => empty));
  for (const { basis } of members) {
    basis.sensors.forEach((name, k) => {
      const j = sensors.indexOf(name);
      for (let r = 0; r < regimes; r++) {
        const m = basis.moments[r]?.[k];
        if (m) (out[r] as Moments[])[j] = combineMoments((out[r] as Moments[])[j] as Moments, m);
      }
    });
  }
  return out;
}

function regimesNote(found: RegimeModel, conditions: readonly string[]): string {
  const silhouette = found.silhouette === null ? '' : ` (silhouette ${found.silhouette.toFixed(2)}; regimes are kept above 0.8)`;
  return found.centroids.length > 1
    ? `${found.centroids.length} operating regimes in ${conditions.join(', ')}${silhouette}: each sensor is compared within its regime`
    : `one operating regime in ${conditions.join(', ')}${silhouette}: each sensor is compared over all readings`;
}
