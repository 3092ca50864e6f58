// The JSON shape of a fleet statistics message on the wire (codec.ts reads and writes it): the
// fields of types.ts with their own names, each Gram as base64. Shapes only; what the values must
// satisfy together (dimensions, counts, bounds) is checked in checks.ts.
import { z } from 'zod';
import { FEATURE_KINDS, type Recipe } from '../learn/recipe.js';
import type { RegimeScaling } from '../learn/regime-scaling.js';
import type { RegimeModel } from '../learn/regimes.js';
import { FLEET_STATS_VERSION, type RecipeBasis, type RowAggregates, type SensorMoments } from './types.js';

// `satisfies z.ZodType<T>` ties each shape to its type in types.ts and learn/: a field added there and
// not here fails to compile, so the codec never lets through a message the learning side cannot read.

const count = z.int().nonnegative();
/** Milliseconds since the epoch that a Date can hold (±8.64e15), so that every time can be shown. */
const time = z.int().min(-8.64e15).max(8.64e15);

export const regimeModelShape = z.strictObject({
  fields: z.array(z.string()),
  used: z.array(count),
  mean: z.array(z.number()),
  std: z.array(z.number()),
  centroids: z.array(z.array(z.number())),
  scores: z.array(z.strictObject({ k: count, silhouette: z.number() })),
  silhouette: z.number().nullable(),
  readings: count,
  sampled: count,
  skipped: count,
}) satisfies z.ZodType<RegimeModel>;

const regimeScalingShape = z.strictObject({
  sensors: z.array(z.string()),
  mean: z.array(z.array(z.number())),
  std: z.array(z.array(z.number())),
  count: z.array(z.array(count)),
  kept: z.array(z.boolean()),
}) satisfies z.ZodType<RegimeScaling>;

/**
 * The recipe's lists are bounded: featureNames builds a name per sensor and half-life, so a hostile
 * recipe of millions of one-letter sensors (16 MB of them) would take gigabytes before its Grams
 * were ever compared with it. A real one has a few sensors to a few hundred, and three half-lives;
 * no Gram of more than about 1,800 features fits in a message anyway.
 */
const MAX_RECIPE_SENSORS = 4096;
const MAX_HALF_LIVES = 8;

export const recipeShape = z.strictObject({
  version: z.literal(2),
  sensors: z.array(z.string()).max(MAX_RECIPE_SENSORS),
  conditions: z.array(z.string()),
  kinds: z.array(z.enum(FEATURE_KINDS)),
  windowMs: z.number(),
  halfLivesMs: z.array(z.number()).max(MAX_HALF_LIVES),
  staleMs: z.number(),
  maxGapMs: z.number(),
  strideMs: z.number(),
  horizonS: z.number(),
  requireFullWindow: z.boolean(),
  regimes: z.strictObject({ regimes: regimeModelShape.nullable(), scaling: regimeScalingShape }).nullable(),
}) satisfies z.ZodType<Recipe>;

const momentsShape = z.strictObject({ n: z.number(), mean: z.number(), m2: z.number() }) satisfies z.ZodType<SensorMoments>;

const basisShape = z.strictObject({
  configKey: z.string(),
  sensors: z.array(z.string()),
  conditions: z.array(z.string()),
  intervalMs: z.number().nullable(),
  durationMs: z.number(),
  medianEpisodeMs: z.number(),
  episodes: count,
  samples: count,
  regimes: regimeModelShape.nullable(),
  momentsIn: z.string(),
  moments: z.array(z.array(momentsShape)),
}) satisfies z.ZodType<RecipeBasis>;

const aggregatesShape = z.strictObject({
  fit: z.string(),
  alphas: z.array(z.number()),
  validation: z.strictObject({ rows: count, sse: z.array(z.number()) }).nullable(),
  calibration: z.array(z.strictObject({ rows: count, n: z.array(count), sy: z.array(z.number()) }).nullable()),
}) satisfies z.ZodType<RowAggregates>;

/** An episode as sent: the Gram is base64 of learn/gram-codec.ts's packGram. */
export const wireEpisodeShape = z.strictObject({
  asset: z.string(),
  key: z.string(),
  start: time,
  end: time,
  rows: count,
  gram: z.string(),
});

export const wireStatsShape = z.strictObject({
  v: z.literal(FLEET_STATS_VERSION),
  fleet: z.string(),
  agent: z.string(),
  sentAt: time,
  basis: basisShape,
  recipe: z.strictObject({ hash: z.string(), recipe: recipeShape }).nullable(),
  episodes: z.array(wireEpisodeShape),
  aggregates: aggregatesShape.nullable(),
});

export type WireStats = z.output<typeof wireStatsShape>;
export type WireEpisode = z.output<typeof wireEpisodeShape>;
