// What only rows give, made shareable: each member scores the fit the fleet shares on its own sampled
// rows and sends sums (validation errors per α) and its calibration as values on a fixed grid of
// scores; a retrain adds the members' sums to its own. Pure.
import { CALIBRATION_GRID_POINTS } from '../fleet/types.js';
import { calibrate, fitIsotonic, type IsotonicCalibration } from '../learn/isotonic.js';
import { predictRow, type RidgeModel } from '../learn/linear.js';

export interface Scored {
  readonly x: Float64Array;
  readonly y: number;
}

/** Per member: rows, and a value per α. */
export interface ValidationSums {
  readonly rows: number;
  readonly sse: readonly number[];
}

export interface GridCalibration {
  readonly rows: number;
  readonly y: readonly number[];
}

/** The scores a calibration is sent at: CALIBRATION_GRID_POINTS from −H/4 to 5H/4, beyond which outputs are clipped anyway. */
export function calibrationGrid(horizonS: number): number[] {
  return Array.from({ length: CALIBRATION_GRID_POINTS }, (_, k) => horizonS * (-0.25 + (1.5 * k) / (CALIBRATION_GRID_POINTS - 1)));
}

/** Σ (clip(prediction, 0, H) − y)² over the rows, per model. */
export function clippedSse(models: readonly RidgeModel[], rows: readonly Scored[], horizonS: number): ValidationSums {
  const sse = models.map((m) => rows.reduce((sum, r) => sum + (Math.min(horizonS, Math.max(0, predictRow(m, r.x))) - r.y) ** 2, 0));
  return { rows: rows.length, sse };
}

/** The index of the α with the lowest pooled mean squared error, ties to the larger α; null without rows. */
export function bestAlpha(parts: readonly ValidationSums[], alphas: readonly number[]): number | null {
  const rows = parts.reduce((sum, p) => sum + p.rows, 0);
  if (rows === 0) return null;
  let best = 0;
  const ordered = canonical(parts, (p) => p.sse);
  const mse = alphas.map((_, i) => ordered.reduce((sum, p) => sum + (p.sse[i] ?? NaN), 0) / rows);
  mse.forEach((v, i) => {
    if (v < (mse[best] as number) || (v === mse[best] && (alphas[i] as number) > (alphas[best] as number))) best = i;
  });
  return best;
}

/** This member's isotonic calibration of `model` on its rows, as values on the grid; null with too few rows. */
export function gridCalibration(model: RidgeModel, rows: readonly Scored[], horizonS: number): GridCalibration | null {
  if (rows.length < 20) return null;
  const fitted = fitIsotonic(rows.map((r) => predictRow(model, r.x)), rows.map((r) => r.y));
  return { rows: rows.length, y: calibrationGrid(horizonS).map((x) => calibrate(fitted, x)) };
}

/**
 * The members' calibrations averaged, each weighted by its rows: a mean of non-decreasing maps is
 * non-decreasing, and the mean of the members' maps does as well as one fitted on all their rows
 * (the issue 14 study: 12.20 against 12.21 on C-MAPSS FD001).
 */
export function pooledCalibration(parts: readonly GridCalibration[], horizonS: number): IsotonicCalibration | null {
  const rows = parts.reduce((sum, p) => sum + p.rows, 0);
  if (rows === 0) return null;
  const ordered = canonical(parts, (p) => p.y);
  const y = calibrationGrid(horizonS).map((_, k) => ordered.reduce((sum, p) => sum + p.rows * (p.y[k] as number), 0) / rows);
  return { x: calibrationGrid(horizonS), y, pairs: rows, fittedKnots: CALIBRATION_GRID_POINTS };
}

/** The parts in an order of their own content, so every member adds them up alike, to the last bit. */
function canonical<T extends { readonly rows: number }>(parts: readonly T[], values: (part: T) => readonly number[]): T[] {
  const compare = (a: T, b: T): number => {
    if (a.rows !== b.rows) return a.rows - b.rows;
    const [va, vb] = [values(a), values(b)];
    for (let i = 0; i < Math.min(va.length, vb.length); i++) if (va[i] !== vb[i]) return (va[i] as number) - (vb[i] as number);
    return va.length - vb.length;
  };
  return [...parts].sort(compare);
}
