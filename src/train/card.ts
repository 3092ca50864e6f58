// The model card: what a retrain made and how it did, as the JSON the registry stores, `faultline
// train` prints and the agent publishes retained. Builds the object; never decides anything itself.
import type { DatasetEpisode } from '../learn/dataset.js';
import type { Metrics } from '../learn/metrics.js';
import type { Evaluation, PenaltyChoice } from './evaluate.js';

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
  lambda_selection: { method: PenaltyChoice['method']; alpha: number; evaluation_lambda: number; validation_samples: number; reason: string };
  solver: 'cholesky' | 'eigen';
  features: CardFeature[];
  /** Intercept in original units: the prediction at x = 0. */
  intercept: number;
  /** Intercept of the standardized model: the mean training label. */
  intercept_std: number;
  /** Rows of the evaluation fit and of the held-out test period; n_served: rows of the served fit. */
  n_train: number;
  n_test: number;
  n_served: number;
  episodes: { train: number; test: number };
  /** Span of the labelled history the served fit learnt from. */
  training_window: { first_ts: number; last_ts: number; first: string; last: string };
  horizon_s: number;
  window_s: number;
  stride_s: number;
  max_gap_s: number;
  full_window: boolean;
  metrics: {
    note: string;
    test_period: { first_ts: number; last_ts: number };
    challenger: CardMetrics;
    champion: (CardMetrics & { version: string; unscored: number; challenger_rmse_same_samples: number | null }) | null;
    baseline: CardMetrics & { prediction: number };
  };
  promoted: boolean;
  promotion: string;
  data_hash: string;
  /** Dropped features ("s1_* dropped: constant (518.67)"). */
  dropped_features: string[];
  notes: string[];
  duration_ms: number;
}

export interface CardContext {
  readonly trainedAt: number;
  readonly durationMs: number;
  readonly horizonS: number;
  readonly windowMs: number;
  readonly strideMs: number;
  readonly maxGapMs: number;
  readonly requireFullWindow: boolean;
  readonly train: readonly DatasetEpisode[];
  readonly test: readonly DatasetEpisode[];
  readonly datasetNotes: readonly string[];
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function cardMetrics(m: Metrics): CardMetrics {
  return { n: m.n, mse: finite(m.mse), rmse: finite(m.rmse), mae: finite(m.mae), r2: finite(m.r2) };
}

function span(episodes: readonly DatasetEpisode[]): { first_ts: number; last_ts: number } {
  return { first_ts: Math.min(...episodes.map((e) => e.start)), last_ts: Math.max(...episodes.map((e) => e.end)) };
}

const iso = (ts: number): string => new Date(ts).toISOString();

export function modelCard(ev: Evaluation, ctx: CardContext): ModelCard {
  const served = ev.served;
  const used = span(ev.promoted ? [...ctx.train, ...ctx.test] : ctx.train);
  const testPeriod = span(ctx.test);
  const champion = ev.champion;
  return {
    version: null,
    trained_at: iso(ctx.trainedAt),
    algorithm: 'ridge',
    lambda: served.lambda,
    lambda_selection: {
      method: ev.penalty.method,
      alpha: ev.penalty.alpha,
      evaluation_lambda: ev.penalty.lambda,
      validation_samples: ev.penalty.validationSamples,
      reason: ev.penalty.reason,
    },
    solver: served.solver,
    features: served.featureNames.map((name, j) => ({
      name,
      coef_std: served.coefStd[j] as number,
      coef: served.coef[j] as number,
      mean: served.mean[j] as number,
      std: served.std[j] as number,
    })),
    intercept: served.intercept,
    intercept_std: served.interceptStd,
    n_train: ev.model.nTrain,
    n_test: ev.challenger.n,
    n_served: served.nTrain,
    episodes: { train: ctx.train.length, test: ctx.test.length },
    training_window: { ...used, first: iso(used.first_ts), last: iso(used.last_ts) },
    horizon_s: ctx.horizonS,
    window_s: ctx.windowMs / 1000,
    stride_s: ctx.strideMs / 1000,
    max_gap_s: ctx.maxGapMs / 1000,
    full_window: ctx.requireFullWindow,
    metrics: {
      note: metricsNote(ev, ctx, testPeriod),
      test_period: testPeriod,
      challenger: cardMetrics(ev.challenger),
      champion:
        champion === null
          ? null
          : { version: champion.version, ...cardMetrics(champion.metrics), unscored: champion.unscored, challenger_rmse_same_samples: finite(champion.challenger.rmse) },
      baseline: { ...cardMetrics(ev.baseline), prediction: ev.baseline.prediction },
    },
    promoted: ev.promoted,
    promotion: ev.promotion,
    data_hash: ev.dataHash,
    dropped_features: ev.selectionNotes.filter((n) => n.includes(' dropped: ') && !/^\d+ of \d+ samples/.test(n)),
    notes: [...ctx.datasetNotes, ...ev.selectionNotes, ...ev.notes],
    duration_ms: Math.round(ctx.durationMs),
  };
}

function metricsNote(ev: Evaluation, ctx: CardContext, period: { first_ts: number; last_ts: number }): string {
  const held = `Held-out test period: the ${ctx.test.length} episodes that ended last (${iso(period.first_ts)} to ${iso(period.last_ts)}), never seen by the fit.`;
  const who = 'challenger: this model fitted on the other episodes; champion: the model serving before, on the same test samples; baseline: the mean training label.';
  const served = ev.promoted
    ? `These are the metrics of the evaluation fit (n = ${ev.model.nTrain}); the served model was then refit on all ${ev.served.nTrain} labelled samples.`
    : 'Not promoted: the stored coefficients are those of the evaluation fit.';
  return `${held} ${who} ${served}`;
}
