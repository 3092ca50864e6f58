// The model as it serves: ridge coefficients plus the window rules its features were made with, so
// live prediction computes features exactly as training did. Pure; serializable as JSON.
import { featureVector, type FeatureSpec } from './features.js';
import { predictRow, topContributions, type RidgeModel } from './linear.js';
import type { SensorSeries } from './types.js';

export interface ServingModel {
  /** Registry version, as published in payloads ("7"). */
  version: string;
  trainedAt: number;
  horizonS: number;
  spec: FeatureSpec;
  ridge: RidgeModel;
  /** Held-out RMSE in seconds of the evaluation fit, for status and payload consumers. */
  rmse: number | null;
}

export interface Prediction {
  /** Event time of the reading that produced it (ms). */
  ts: number;
  timeToFaultS: number;
  risk: number;
  contributions: Array<{ feature: string; value: number }>;
}

export type PredictResult = { prediction: Prediction } | { missing: string[] };

/**
 * Predicts time to fault at `t` from the asset's recent readings. `historyStart` is the first
 * reading since the asset's last fault (the full-window rule needs it). Features that cannot be
 * computed are reported by name instead of being guessed.
 */
export function predictAt(
  model: ServingModel,
  series: SensorSeries,
  t: number,
  historyStart: number,
  contributionCount: number,
): PredictResult {
  const x = featureVector(series, t, model.spec, model.ridge.featureNames, historyStart);
  const missing = model.ridge.featureNames.filter((_, j) => Number.isNaN(x[j]));
  if (missing.length > 0) return { missing };
  const raw = predictRow(model.ridge, x);
  const timeToFaultS = Math.min(model.horizonS, Math.max(0, raw));
  return {
    prediction: {
      ts: t,
      timeToFaultS,
      risk: 1 - timeToFaultS / model.horizonS,
      contributions: contributionCount > 0 ? topContributions(model.ridge, x, contributionCount) : [],
    },
  };
}
