// What only rows give, made shareable: each member scores the fit the fleet shares on its own sampled
// rows and sends sums (validation errors per α, and its rows' counts and label sums in fixed bins of
// the score); a retrain adds the members' sums to its own. Pure.
import { CALIBRATION_BINS } from '../fleet/types.js';
import { fitWeightedIsotonic, type IsotonicCalibration } from '../learn/isotonic.js';
import { predictRow, type RidgeModel } from '../learn/linear.js';

export interface Scored {
  readonly x: Float64Array;
  readonly y: number;
}

/** Per member: rows, and a value per α. */
/** Fewer rows than this give no calibration (the linear score serves as it is). */
const MIN_CALIBRATION_ROWS = 20;

export interface ValidationSums {
  readonly rows: number;
  readonly sse: readonly number[];
}

/** Rows binned by their score: per bin, how many and the sum of their labels. */
export interface BinnedCalibration {
  readonly rows: number;
  readonly n: readonly number[];
  readonly sy: readonly number[];
}

/**
 * The centres of the CALIBRATION_BINS bins, from −H/4 to 5H/4 (outputs are clipped to [0, H], so
 * scores beyond fall in the end bins). About 0.3% of H wide: finer than the calibration can tell apart.
 */
export function calibrationBins(horizonS: number): number[] {
  const width = (1.5 * horizonS) / CALIBRATION_BINS;
  return Array.from({ length: CALIBRATION_BINS }, (_, b) => -0.25 * horizonS + (b + 0.5) * width);
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

/** `model`'s scores of the rows, binned, with their labels summed; null with too few rows to calibrate. */
export function binnedCalibration(model: RidgeModel, rows: readonly Scored[], horizonS: number): BinnedCalibration | null {
  if (rows.length < MIN_CALIBRATION_ROWS) return null;
  const n = new Array<number>(CALIBRATION_BINS).fill(0);
  const sy = new Array<number>(CALIBRATION_BINS).fill(0);
  const width = (1.5 * horizonS) / CALIBRATION_BINS;
  for (const r of rows) {
    const b = Math.min(CALIBRATION_BINS - 1, Math.max(0, Math.floor((predictRow(model, r.x) + 0.25 * horizonS) / width)));
    n[b] = (n[b] as number) + 1;
    sy[b] = (sy[b] as number) + r.y;
  }
  return { rows: rows.length, n, sy };
}

/**
 * The isotonic calibration of the members' bins added up, each bin's mean label at its centre,
 * weighted by its rows. A lone gateway calibrates the same way on its own bins, so a fleet and one
 * gateway holding all its rows serve the same calibration (to the rounding of the sums).
 */
export function pooledCalibration(parts: readonly BinnedCalibration[], horizonS: number): IsotonicCalibration | null {
  const rows = parts.reduce((sum, p) => sum + p.rows, 0);
  if (rows === 0) return null;
  const ordered = canonical(parts, (p) => p.sy);
  const centres = calibrationBins(horizonS);
  const x: number[] = [];
  const y: number[] = [];
  const w: number[] = [];
  centres.forEach((centre, b) => {
    const n = ordered.reduce((sum, p) => sum + (p.n[b] as number), 0);
    if (n === 0) return;
    x.push(centre);
    y.push(ordered.reduce((sum, p) => sum + (p.sy[b] as number), 0) / n);
    w.push(n);
  });
  return fitWeightedIsotonic(x, y, w);
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
