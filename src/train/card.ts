// The model card: what a retrain made and how it did, as the JSON the registry stores, `faultline
// train` prints and the agent publishes retained. Builds the object; never decides anything itself.
import type { Metrics } from '../learn/metrics.js';
import type { Recipe } from '../learn/recipe.js';
import type { Evaluation, PenaltyChoice, Unit } from './evaluate.js';
import type { FleetView } from './fleet-view.js';

/** Metrics in the card: seconds, null where undefined (JSON has no NaN). */
export interface CardMetrics {
  n: number;
  mse: number | null;
  rmse: number | null;
  mae: number | null;
  r2: number | null;
}

export interface CardFeature {
  name: string;
  /** Seconds of time to fault per training standard deviation of the feature. */
  coef_std: number;
  /** Seconds per unit of the feature. */
  coef: number;
  mean: number;
  std: number;
}

export interface ModelCard {
  /** The registry version ("7"); null until the registry has stored the model. */
  version: string | null;
  trained_at: string;
  algorithm: 'ridge';
  /** λ of the served fit, on standardized features (XsᵀXs has diagonal n). */
  lambda: number;
  lambda_selection: { method: PenaltyChoice['method']; alpha: number | null; evaluation_lambda: number; validation_samples: number; reason: string };
  solver: 'cholesky' | 'eigen';
  /** The features the model uses (a constant one is left out and named in dropped_features). */
  features: CardFeature[];
  /** Intercept in original units: the linear score at x = 0. */
  intercept: number;
  /** Intercept of the standardized model: the mean training label. */
  intercept_std: number;
  /** How the linear score becomes the published time to fault. */
  calibration: { knots: number; note: string } | null;
  /** Rows of the evaluation fit and of the held-out test period; n_served: rows of the served fit. */
  n_train: number;
  n_test: number;
  n_served: number;
  episodes: { train: number; test: number };
  /** Span of the labelled history the served fit learnt from. */
  training_window: { first_ts: number; last_ts: number; first: string; last: string };
  recipe: { hash: string; features: string[]; half_lives_s: number[]; conditions: string[]; regimes: number };
  horizon_s: number;
  window_s: number;
  stride_s: number;
  max_gap_s: number;
  full_window: boolean;
  metrics: {
    note: string;
    test_period: { first_ts: number; last_ts: number };
    /** The published output (calibrated, clipped) on the sampled rows of this gateway's test episodes. */
    challenger: CardMetrics;
    baseline: CardMetrics & { prediction: number };
    /** The linear score on every row of the test episodes, from their sums (exact; not clipped). */
    from_sums: CardMetrics;
    /** What the gate compared: both linear scores on the same episodes, from sums. */
    champion: (CardMetrics & { version: string; method: 'unseen' | 'refit'; episodes: number; challenger_rmse_same_samples: number | null }) | null;
  };
  promoted: boolean;
  promotion: string;
  data_hash: string;
  /** Features left out of the fit ("s1_ewm_10s: constant"). */
  dropped_features: string[];
  /**
   * In a fleet: the members whose episodes went in (this agent first) and those left out with the
   * reason; the fit's name (members with the same one fitted alike); and how many rows, of how many
   * members, λ and the calibration were chosen on.
   */
  fleet: {
    fit: string;
    members: Array<{ agent: string; episodes: number; rows: number }>;
    left_out: Array<{ agent: string; reason: string }>;
    lambda_rows: number;
    calibration: { members: number; rows: number };
  } | null;
  notes: string[];
  duration_ms: number;
}

export interface CardContext {
  readonly trainedAt: number;
  readonly durationMs: number;
  readonly recipe: Recipe;
  readonly recipeHash: string;
  readonly recipeNotes: readonly string[];
  readonly units: readonly Unit[];
  readonly dataHash: string;
  readonly fleet: FleetView | null;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function cardMetrics(m: Metrics): CardMetrics {
  return { n: m.n, mse: finite(m.mse), rmse: finite(m.rmse), mae: finite(m.mae), r2: finite(m.r2) };
}

function span(units: readonly Unit[]): { first_ts: number; last_ts: number } {
  return { first_ts: Math.min(...units.map((e) => e.start)), last_ts: Math.max(...units.map((e) => e.end)) };
}

const iso = (ts: number): string => new Date(ts).toISOString();

export function modelCard(ev: Evaluation, ctx: CardContext): ModelCard {
  const served = ev.served;
  const { train, test } = ev.split;
  const used = span(ev.promoted ? [...train, ...test] : train);
  const testPeriod = span(test);
  const active = served.featureNames.map((name, j) => ({ name, j })).filter(({ j }) => served.coefStd[j] !== 0);
  const constant = served.featureNames.filter((_, j) => served.coefStd[j] === 0 && served.std[j] === 1);
  const { recipe } = ctx;
  const comparison = ev.comparison;
  const incomplete = ctx.units.reduce((sum, u) => sum + u.incomplete, 0);
  return {
    version: null,
    trained_at: iso(ctx.trainedAt),
    algorithm: 'ridge',
    lambda: served.lambda,
    lambda_selection: { method: ev.penalty.method, alpha: ev.penalty.alpha, evaluation_lambda: ev.penalty.lambda, validation_samples: ev.penalty.validationSamples, reason: ev.penalty.reason },
    solver: served.solver,
    features: active.map(({ name, j }) => ({
      name,
      coef_std: served.coefStd[j] as number,
      coef: served.coef[j] as number,
      mean: served.mean[j] as number,
      std: served.std[j] as number,
    })),
    intercept: served.intercept,
    intercept_std: served.interceptStd,
    calibration:
      ev.servedCalibration === null
        ? null
        : {
            knots: ev.servedCalibration.x.length,
            note: 'the published time to fault is a monotone (isotonic) map of the linear score, fitted on sampled training rows: contributions are terms of that score, in seconds, and their order holds',
          },
    n_train: ev.model.nTrain,
    n_test: test.reduce((sum, u) => sum + u.rows, 0),
    n_served: served.nTrain,
    episodes: { train: train.length, test: test.length },
    training_window: { ...used, first: iso(used.first_ts), last: iso(used.last_ts) },
    recipe: {
      hash: ctx.recipeHash,
      features: [...recipe.kinds],
      half_lives_s: recipe.halfLivesMs.map((h) => h / 1000),
      conditions: [...recipe.conditions],
      regimes: recipe.regimes?.regimes?.centroids.length ?? 1,
    },
    horizon_s: recipe.horizonS,
    window_s: recipe.windowMs / 1000,
    stride_s: recipe.strideMs / 1000,
    max_gap_s: recipe.maxGapMs / 1000,
    full_window: recipe.requireFullWindow,
    metrics: {
      note: metricsNote(ev, testPeriod),
      test_period: testPeriod,
      challenger: cardMetrics(ev.sampled),
      baseline: { ...cardMetrics(ev.sampledBaseline), prediction: ev.baseline.prediction },
      from_sums: cardMetrics(ev.challenger),
      champion:
        comparison === null
          ? null
          : { version: comparison.version, method: comparison.method, episodes: comparison.episodes, ...cardMetrics(comparison.champion), challenger_rmse_same_samples: finite(comparison.challenger.rmse) },
    },
    promoted: ev.promoted,
    promotion: ev.promotion,
    data_hash: ctx.dataHash,
    dropped_features: constant.map((name) => `${name}: constant on the training rows`),
    fleet:
      ctx.fleet && ev.fleet
        ? {
            fit: ctx.fleet.fit,
            members: ctx.fleet.members,
            left_out: ctx.fleet.leftOut,
            lambda_rows: ev.fleet.validationRows,
            calibration: { members: ev.fleet.contributors, rows: ev.fleet.calibrationRows },
          }
        : null,
    notes: [
      `${ctx.units.reduce((sum, u) => sum + u.rows, 0)} samples from ${ctx.units.filter((u) => u.rows > 0).length} episodes`,
      ...(incomplete > 0 ? [`${incomplete} samples left out: a feature was missing (a sensor not yet heard from in its episode)`] : []),
      ...ctx.recipeNotes,
      ...ev.notes,
    ],
    duration_ms: Math.round(ctx.durationMs),
  };
}

function metricsNote(ev: Evaluation, period: { first_ts: number; last_ts: number }): string {
  const held = `Held-out test period: the ${ev.split.test.length} episodes that ended last (${iso(period.first_ts)} to ${iso(period.last_ts)}), never seen by the fit.`;
  const how =
    'challenger and baseline: the published output on a fixed sample of up to 64 rows per test episode (mae, clipping and the calibration need rows); from_sums: the linear score on every test row, from the episodes\' sums; champion: what the promotion gate compared, from sums.';
  const served = ev.promoted
    ? `These are the metrics of the evaluation fit (n = ${ev.model.nTrain}); the served model was then refit on all ${ev.served.nTrain} labelled samples.`
    : 'Not promoted: the stored coefficients are those of the evaluation fit.';
  return `${held} ${how} ${served}`;
}
