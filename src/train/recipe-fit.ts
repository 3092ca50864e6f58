// Makes the feature recipe from the `model` config and the data: the sensors, the sample spacing
// (stride: auto), and the operating regimes when `model.conditions` names fields. Reads the buffer
// once when a recipe is made; a retrain otherwise reuses the stored one.
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import { episodesOf } from '../learn/labels.js';
import { DEFAULT_FEATURE_KINDS, halfLivesOf, recipeHash, type Recipe } from '../learn/recipe.js';
import { autoStride } from '../learn/stride.js';
import { NoUsableFeatureError } from './errors.js';
import { fitRegimesFrom } from './regimes-fit.js';
import type { TrainingSource } from './source.js';

export type ModelConfig = Config['model'];

/** A made recipe, with what it was made from. */
export interface MadeRecipe {
  readonly hash: string;
  readonly recipe: Recipe;
  /** Labelled samples there were when it was made. */
  readonly samples: number;
  /** Remarks for the model card: the stride chosen and why, the regimes found. */
  readonly notes: string[];
}

/** The config choices a recipe is made from: a change to any of them makes a new recipe. */
export function recipeConfigKey(model: ModelConfig): string {
  const { horizon, window, features, stride, full_window, max_gap, conditions } = model;
  return createHash('sha256').update(JSON.stringify({ horizon, window, features, stride, full_window, max_gap, conditions })).digest('hex').slice(0, 32);
}

/** Makes the recipe from the config and the data `source` holds now. */
export function makeRecipe<A extends { readonly name: string }>(source: TrainingSource<A>, model: ModelConfig): MadeRecipe {
  const assets = source.assets();
  const conditions = [...model.conditions];
  const sensors = source.sensors(assets).filter((s) => !conditions.includes(s));
  const kinds = model.features.length > 0 ? [...model.features] : [...DEFAULT_FEATURE_KINDS];
  const windowMs = model.window;
  const names = [...sensors, ...conditions];
  const notes: string[] = [];
  const episodes = episodeTimes(source, assets, names, model.horizon / 1000);
  const total = episodes.reduce((sum, times) => sum + (times.length > 0 ? (times[times.length - 1] as number) - (times[0] as number) : 0), 0);
  const auto = model.stride === 'auto' ? autoStride(episodes) : null;
  // Until an episode has two readings there is no spacing to derive: a minute, as earlier releases had.
  const strideMs = model.stride === 'auto' ? (auto?.stride ?? 60_000) : model.stride;
  const samples = Math.round(total / strideMs) + episodes.length;
  if (auto) {
    notes.push(
      `stride auto: ${auto.stride / 1000} s (the readings come every ${auto.interval / 1000} s; ${Math.round(auto.samplesPerMedianEpisode)} samples in the median episode)` +
        (auto.fewSamples ? '; few samples per episode: set model.stride shorter, or model.window longer' : ''),
    );
  }
  const base: Recipe = {
    version: 2,
    sensors,
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
    regimes: null,
  };
  const scaling = fitRegimesFrom(source, assets, base);
  if (scaling.note !== '') notes.push(scaling.note);
  const { kept } = scaling.model.scaling;
  const constant = sensors.filter((_, j) => !kept[j]);
  if (sensors.length > 0 && constant.length === sensors.length) throw new NoUsableFeatureError([`${sensors.join(', ')}: constant on the training data`]);
  if (constant.length > 0) notes.push(`left out, constant on the training data: ${constant.join(', ')}`);
  const recipe: Recipe = { ...base, sensors: sensors.filter((_, j) => kept[j]), regimes: scaling.model };
  return { hash: recipeHash(recipe), recipe, samples, notes };
}

/** Each labelled episode's reading times: what stride: auto is derived from. */
function episodeTimes<A extends { readonly name: string }>(source: TrainingSource<A>, assets: readonly A[], names: readonly string[], horizonS: number): number[][] {
  const out: number[][] = [];
  for (const asset of assets) {
    const times = source.readingTimes(asset, names);
    for (const e of episodesOf(times, source.faults(asset), horizonS)) out.push(times.filter((t) => t >= e.start && t <= e.end));
  }
  return out;
}
