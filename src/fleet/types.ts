// What one agent shares with the others of its fleet (issue 15), retained on its statistics topic
// (fleetStatsTopic in topics/contract.ts): sums over whole episodes, never a reading or a row.
// Types only; the codec (codec.ts) checks every field of a received one.
import type { Gram } from '../learn/gram.js';
import type { Recipe } from '../learn/recipe.js';
import type { RegimeModel } from '../learn/regimes.js';

export const FLEET_STATS_VERSION = 1;

/** An episode with fewer labelled rows is not shared: its sums would come too close to a reading. */
export const MIN_SHARED_ROWS = 30;

/** Calibrations are sent as rows counted and labels summed in this many bins of the score, evenly from −H/4 to 5H/4. */
export const CALIBRATION_BINS = 512;

/** Mean and spread of one sensor in one regime, as Welford moments: they merge exactly across members. */
export interface SensorMoments {
  readonly n: number;
  readonly mean: number;
  /** Σ (x − mean)². */
  readonly m2: number;
}

/**
 * What this agent's own data says about the recipe, taken when it made its recipe. The fleet's
 * recipe is a function of every member's basis (train/recipe-fit.ts), so any agent reaches it.
 */
export interface RecipeBasis {
  /** recipeConfigKey of the model config: members with another config are left out. */
  readonly configKey: string;
  /** Candidate wear sensors (the condition fields excluded), sorted. */
  readonly sensors: readonly string[];
  readonly conditions: readonly string[];
  /** Median interval between readings inside its labelled episodes (stride: auto); null before two. */
  readonly intervalMs: number | null;
  /** Σ over its labelled episodes of (last reading − first reading). */
  readonly durationMs: number;
  /** The median of its labelled episodes' durations (the card warns when they get few samples). */
  readonly medianEpisodeMs: number;
  readonly episodes: number;
  readonly samples: number;
  /** Its own regime finding (k-means over its condition readings; one centroid: one regime); null without conditions. */
  readonly regimes: RegimeModel | null;
  /** The regimes `moments` were taken in: a hash of a regime model, or '' for one regime. */
  readonly momentsIn: string;
  /** moments[r][j]: sensor j (of `sensors`) in regime r. */
  readonly moments: ReadonlyArray<ReadonlyArray<SensorMoments>>;
}

/** One final episode's sums under the recipe the message names. */
export interface SharedEpisode {
  readonly asset: string;
  /** The fault time as a string, or 'open' for a censored tail a full horizon old. */
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  readonly gram: Gram;
}

/**
 * Quantities only rows give, computed on this agent's sampled rows for a fit every member with the
 * same episodes computes alike (`fit` names it), and summed across members by the others.
 */
export interface RowAggregates {
  /** Hash of the recipe and of every episode (member, asset, key, end, rows) the fit used. */
  readonly fit: string;
  /** The α grid the arrays below follow (RIDGE_ALPHA_GRID). */
  readonly alphas: readonly number[];
  /** Per α: Σ of squared errors, clipped to [0, H], of its validation rows under the fit split's ridge. */
  readonly validation: { readonly rows: number; readonly sse: readonly number[] } | null;
  /**
   * Per α: its rows under the final ridge at that α, counted (n) and their labels summed (sy) in each
   * of the CALIBRATION_BINS fixed bins of the score (no row's score is sent); null with too few rows.
   */
  readonly calibration: ReadonlyArray<{ readonly rows: number; readonly n: readonly number[]; readonly sy: readonly number[] } | null>;
}

export interface FleetStats {
  readonly v: typeof FLEET_STATS_VERSION;
  readonly fleet: string;
  readonly agent: string;
  /** When it was published (ms since the epoch). */
  readonly sentAt: number;
  readonly basis: RecipeBasis;
  /** The recipe its episodes are summed under; null until it has one. */
  readonly recipe: { readonly hash: string; readonly recipe: Recipe } | null;
  readonly episodes: readonly SharedEpisode[];
  readonly aggregates: RowAggregates | null;
}
