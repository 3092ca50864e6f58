// The feature recipe: which sensors, which features of each, on which time scales, and how the
// operating regime rescales a reading first. Training and live prediction both build features from
// it (feature-stream.ts), and per-episode statistics are cached under its hash. Pure.
import { createHash } from 'node:crypto';
import type { RegimeScaling } from './regime-scaling.js';
import type { RegimeModel } from './regimes.js';

/**
 * ewma: exponentially weighted means at half-lives W/3, W and 3W; baseline: the mean of the
 * episode's first W; age: time since the episode began, and its log; squares: the square of each
 * ewma. mean…last: statistics over the window W (the recipe of earlier releases).
 */
/** The operating regimes and each sensor's scale within them, as stored in the model. */
export interface RegimesModel {
  /** Null: one regime (no condition fields named, or no clear operating points among them). */
  readonly regimes: RegimeModel | null;
  readonly scaling: RegimeScaling;
}

export const FEATURE_KINDS = ['ewma', 'baseline', 'age', 'squares', 'mean', 'std', 'min', 'max', 'slope', 'last'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

export const WINDOW_STATS = ['mean', 'std', 'min', 'max', 'slope', 'last'] as const;
export type WindowStat = (typeof WINDOW_STATS)[number];

/**
 * Not baseline: it ties a prediction to how the unit started, which extrapolates badly to a unit
 * that outlives those seen (on C-MAPSS with engines in order of failure, it made λ validation pick
 * a penalty 3000× too strong); it scored within noise of the default otherwise (bench/README.md).
 */
export const DEFAULT_FEATURE_KINDS: readonly FeatureKind[] = Object.freeze(['ewma', 'age', 'squares']);

export interface Recipe {
  readonly version: 2;
  /** Wear sensors, in column order. */
  readonly sensors: readonly string[];
  /** Fields that say how the machine is run; they pick the regime and are never features. */
  readonly conditions: readonly string[];
  readonly kinds: readonly FeatureKind[];
  /** W. */
  readonly windowMs: number;
  /** Half-lives of the ewma features, shortest first. */
  readonly halfLivesMs: readonly number[];
  /** A sensor silent for longer than this has missing ewma features (its value would be stale). */
  readonly staleMs: number;
  /** Window statistics: the longest tolerated gap inside the window. */
  readonly maxGapMs: number;
  /** Spacing of training samples in event time. */
  readonly strideMs: number;
  readonly horizonS: number;
  /** Take training samples only where a whole window of the episode lies behind them. */
  readonly requireFullWindow: boolean;
  /** Operating regimes and each sensor's scale within them; null (earlier releases' models): readings as they are. */
  readonly regimes: RegimesModel | null;
}

/** The ewma half-lives of a window: a short, the configured and a long time scale. */
export function halfLivesOf(windowMs: number): number[] {
  return [windowMs / 3, windowMs, 3 * windowMs];
}

/** "10s", "2m30s", "1h": how a half-life reads in a feature name. */
export function spanName(ms: number): string {
  let s = Math.round(ms / 1000);
  if (s === 0) return `${ms}ms`;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join('');
}

/**
 * Column names, sensors outermost: each sensor's ewma, baseline and window statistics, then age
 * and age_log, then the squares of the ewma columns ("s11_ewm_30s²"). Every term keeps a name a
 * technician can read in a prediction's contributions.
 */
export function featureNames(recipe: Recipe): string[] {
  const has = (kind: FeatureKind): boolean => recipe.kinds.includes(kind);
  const ewma = (sensor: string): string[] => (has('ewma') ? recipe.halfLivesMs.map((h) => `${sensor}_ewm_${spanName(h)}`) : []);
  const names: string[] = [];
  for (const sensor of recipe.sensors) {
    names.push(...ewma(sensor));
    if (has('baseline')) names.push(`${sensor}_baseline`);
    for (const stat of WINDOW_STATS) if (has(stat)) names.push(`${sensor}_${stat}`);
  }
  if (has('age')) names.push('age', 'age_log');
  if (has('squares')) for (const sensor of recipe.sensors) names.push(...ewma(sensor).map((name) => `${name}²`));
  return names;
}

/** sha256 of everything that decides a feature row: the key of cached per-episode statistics. */
export function recipeHash(recipe: Recipe): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(recipe)).digest('hex').slice(0, 32)}`;
}
