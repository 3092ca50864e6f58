// What this gateway's own data says about the feature recipe (its basis): the candidate sensors, the
// reading spacing for stride: auto, its operating regimes, and each sensor's moments within the
// regimes the recipe uses. A recipe is a function of one basis, or of a fleet's (recipe-fit.ts).
// Reads the buffer in one or two passes, made only when a recipe is (re)made.
import { createHash } from 'node:crypto';
import type { RecipeBasis } from '../fleet/types.js';
import { episodesOf } from '../learn/labels.js';
import { RegimeScalingSums } from '../learn/regime-scaling.js';
import { findRegimes, regimeOf, type RegimeModel } from '../learn/regimes.js';
import { autoStride, strideOf } from '../learn/stride.js';
import type { ModelConfig } from './recipe-fit.js';
import type { TrainingSource } from './source.js';

/** k-means gets at most this many condition vectors, every k-th of them: enough, and bounded memory. */
const MAX_VECTORS = 100_000;

/** The regimes a recipe uses from a found model: null (one regime) unless it kept several. */
export function severalRegimes(model: RegimeModel | null): RegimeModel | null {
  return model !== null && model.centroids.length > 1 ? model : null;
}

/** The key of the regimes a recipe uses: '' for one regime. */
export function regimesKey(model: RegimeModel | null): string {
  const several = severalRegimes(model);
  return several === null ? '' : createHash('sha256').update(JSON.stringify(several)).digest('hex').slice(0, 32);
}

/**
 * The basis of this gateway's data for `config`, with `configKey` its recipeConfigKey. Moments are
 * taken within `regimesForMoments` when given (a fleet's regimes), else within its own.
 */
export function takeBasis<A extends { readonly name: string }>(
  source: TrainingSource<A>,
  config: ModelConfig,
  configKey: string,
  regimesForMoments?: RegimeModel | null,
): RecipeBasis {
  const assets = source.assets();
  const conditions = [...config.conditions];
  const sensors = source.sensors(assets).filter((s) => !conditions.includes(s));
  const episodes = episodeTimes(source, assets, [...sensors, ...conditions], config.horizon / 1000);
  const spacing = autoStride(episodes);
  const durationMs = spacing?.totalDuration ?? 0;
  const stride = config.stride === 'auto' ? (spacing ? strideOf(spacing.interval, durationMs) : 60_000) : config.stride;
  const regimes = conditions.length > 0 ? findRegimesFrom(source, assets, conditions) : null;
  const within = severalRegimes(regimesForMoments === undefined ? regimes : regimesForMoments);
  return {
    configKey,
    sensors,
    conditions,
    intervalMs: spacing?.interval ?? null,
    durationMs,
    medianEpisodeMs: spacing?.medianDuration ?? 0,
    episodes: episodes.length,
    samples: Math.round(durationMs / stride) + episodes.length,
    regimes,
    momentsIn: regimesKey(within),
    moments: momentsWithin(source, assets, sensors, conditions, within),
  };
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

/** k-means over the held condition values, every k-th reading of the training data. */
function findRegimesFrom<A extends { readonly name: string }>(source: TrainingSource<A>, assets: readonly A[], conditions: readonly string[]): RegimeModel {
  const total = assets.reduce((sum, a) => sum + source.readingTimes(a, conditions).length, 0);
  const every = Math.max(1, Math.ceil(total / MAX_VECTORS));
  const vectors: number[] = [];
  let seen = 0;
  for (const asset of assets) {
    const held = new Float64Array(conditions.length).fill(NaN);
    // One read transaction per asset: ingest goes on meanwhile, and its times and values must agree.
    source.snapshot(() => {
      for (const [, readings] of source.events(asset, conditions, -Infinity, Infinity)) {
        hold(held, conditions, readings);
        if (seen++ % every === 0 && held.every(Number.isFinite)) vectors.push(...held);
      }
    });
  }
  return findRegimes(Float64Array.from(vectors), conditions);
}

/** Welford moments of each sensor within each regime of `regimes` (one regime when null). */
function momentsWithin<A extends { readonly name: string }>(
  source: TrainingSource<A>,
  assets: readonly A[],
  sensors: readonly string[],
  conditions: readonly string[],
  regimes: RegimeModel | null,
): RecipeBasis['moments'] {
  const sums = new RegimeScalingSums(regimes?.centroids.length ?? 1, sensors);
  const index = new Map(sensors.map((s, j) => [s, j]));
  const names = [...sensors, ...conditions];
  for (const asset of assets) {
    const held = new Float64Array(conditions.length).fill(NaN);
    source.snapshot(() => {
      for (const [, readings] of source.events(asset, names, -Infinity, Infinity)) {
        hold(held, conditions, readings);
        const regime = regimes ? regimeOf(regimes, held) : 0;
        if (regime === null) continue;
        for (const [name, value] of readings) {
          const j = index.get(name);
          if (j !== undefined) sums.add(regime, j, value);
        }
      }
    });
  }
  return sums.moments();
}

/** The latest value of each condition field, as the feature stream holds them. */
function hold(held: Float64Array, conditions: readonly string[], readings: ReadonlyArray<readonly [string, number]>): void {
  for (const [name, value] of readings) {
    const c = conditions.indexOf(name);
    if (c >= 0) held[c] = value;
  }
}
