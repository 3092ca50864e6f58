// The model as it serves: the feature recipe, ridge coefficients and a monotone calibration of their
// score, so live prediction computes features exactly as training did. Pure; serializable as JSON.
// Models stored by earlier releases (window statistics only) are read as a recipe of that kind.
import type { FeatureStream } from './feature-stream.js';
import { calibrate, type IsotonicCalibration } from './isotonic.js';
import { predictRow, topContributions, type RidgeModel } from './linear.js';
import { featureNames, WINDOW_STATS, type Recipe, type WindowStat } from './recipe.js';

/** A monotone map of the linear score to time to fault (isotonic.ts). */
export type Calibration = IsotonicCalibration;

export interface ServingModel {
  readonly format: 2;
  /** Registry version, as published in payloads ("7"). */
  readonly version: string;
  readonly trainedAt: number;
  readonly horizonS: number;
  readonly recipe: Recipe;
  /** Over the recipe's features (in featureNames order), or a subset of them for a model of an earlier release. */
  readonly ridge: RidgeModel;
  readonly calibration: Calibration | null;
  /** The penalty per training row (λ = α·n) when ridge: auto chose it; null for a fixed λ. */
  readonly alpha: number | null;
  /** Per asset, the end of the latest episode the served fit learnt from: later episodes are unseen. */
  readonly seen: Readonly<Record<string, number>>;
  /** Held-out RMSE in seconds of the evaluation fit, for status and payload consumers. */
  readonly rmse: number | null;
  /** In a fleet: the fit it came from (fleet-view.ts) and the rows its calibration drew on. */
  readonly fleet?: { readonly fit: string; readonly calibrationRows: number };
}

export interface Prediction {
  /** Event time of the reading that produced it (ms). */
  ts: number;
  timeToFaultS: number;
  risk: number;
  /** Seconds of the asset's current episode the features rest on. */
  historyS: number;
  contributions: Array<{ feature: string; value: number }>;
}

export type PredictResult = { prediction: Prediction } | { missing: string[] };

/** Where each of the model's features sits in the recipe's row (the identity for current models). */
export function columnsOf(model: ServingModel): number[] {
  const index = new Map(featureNames(model.recipe).map((name, j) => [name, j]));
  return model.ridge.featureNames.map((name) => {
    const j = index.get(name);
    if (j === undefined) throw new RangeError(`model feature ${name} is not in its recipe`);
    return j;
  });
}

/** Time to fault in seconds for a full recipe row: the calibrated linear score, clipped to [0, H]. */
export function timeToFault(model: ServingModel, x: ArrayLike<number>): number {
  const raw = predictRow(model.ridge, x);
  const calibrated = model.calibration ? calibrate(model.calibration, raw) : raw;
  return Math.min(model.horizonS, Math.max(0, calibrated));
}

/**
 * Predicts at `t` from the asset's stream (after its readings at t). Features that cannot be
 * computed are reported by name instead of being guessed. Contributions are the terms of the linear
 * score in seconds; the calibration then maps that score monotonically, so their order holds.
 */
export function predictAt(model: ServingModel, stream: FeatureStream, t: number, contributionCount: number, columns = columnsOf(model)): PredictResult {
  const row = new Float64Array(stream.width);
  const started = stream.row(t, row);
  const x = Float64Array.from(columns, (j) => row[j] as number);
  const missing = model.ridge.featureNames.filter((_, k) => Number.isNaN(x[k] as number));
  if (!started) return { missing: ['any reading'] };
  if (model.recipe.requireFullWindow && t - stream.episodeStart < model.recipe.windowMs) return { missing: [`a full window (${model.recipe.windowMs / 1000} s) of history`] };
  if (missing.length > 0) return { missing };
  const timeToFaultS = timeToFault(model, x);
  return {
    prediction: {
      ts: t,
      timeToFaultS,
      risk: 1 - timeToFaultS / model.horizonS,
      historyS: stream.historyS(t),
      contributions: contributionCount > 0 ? topContributions(model.ridge, x, contributionCount) : [],
    },
  };
}

/** A model as the registry stores it, from this release or an earlier one. */
export function servingModelOf(params: unknown): ServingModel {
  const p = params as Partial<ServingModel> & { spec?: { windowMs: number; maxGapMs: number; requireFullWindow: boolean } };
  if (p.format === 2) return p as ServingModel;
  if (p.spec === undefined || p.ridge === undefined || p.horizonS === undefined) throw new RangeError('not a faultline model');
  return legacyModel(p as LegacyModel);
}

interface LegacyModel {
  version: string;
  trainedAt: number;
  horizonS: number;
  spec: { windowMs: number; maxGapMs: number; requireFullWindow: boolean };
  ridge: RidgeModel;
  rmse: number | null;
}

/** An earlier release's model: `<sensor>_<stat>` window statistics over the window, no regimes. */
function legacyModel(m: LegacyModel): ServingModel {
  const sensors: string[] = [];
  const stats = new Set<WindowStat>();
  for (const name of m.ridge.featureNames) {
    const cut = name.lastIndexOf('_');
    const stat = name.slice(cut + 1) as WindowStat;
    if (cut <= 0 || !WINDOW_STATS.includes(stat)) throw new RangeError(`feature ${name} of model ${m.version} is not <sensor>_<stat>`);
    if (!sensors.includes(name.slice(0, cut))) sensors.push(name.slice(0, cut));
    stats.add(stat);
  }
  const recipe: Recipe = {
    version: 2,
    sensors,
    conditions: [],
    kinds: WINDOW_STATS.filter((s) => stats.has(s)),
    windowMs: m.spec.windowMs,
    halfLivesMs: [],
    staleMs: m.spec.maxGapMs,
    maxGapMs: m.spec.maxGapMs,
    strideMs: 60_000,
    horizonS: m.horizonS,
    requireFullWindow: m.spec.requireFullWindow,
    regimes: null,
  };
  // It was refit on every episode before it was trained: its training time stands for all of them.
  return { format: 2, version: m.version, trainedAt: m.trainedAt, horizonS: m.horizonS, recipe, ridge: m.ridge, calibration: null, alpha: null, seen: { '*': m.trainedAt }, rmse: m.rmse };
}
