// Errors of any linear model on the rows a Gram summarizes, from the sums alone: how a retrain
// scores cached or fleet episodes without their rows. Pure.
import type { Gram } from './gram.js';
import { rSquared, type Metrics } from './metrics.js';

/**
 * y ≈ intercept + Σ coef[j]·x[j] (original units). A RidgeModel fits as it is; its `mean` and
 * `interceptStd` (the prediction at the mean) are then the point the sums are expanded around,
 * which avoids the cancellation an intercept far from the data (x² of x ≈ 600) brings.
 */
export interface LinearModel {
  readonly coef: ArrayLike<number>;
  readonly intercept: number;
  readonly mean?: ArrayLike<number>;
  readonly interceptStd?: number;
}

/** Metrics.ts's metrics without MAE (absolute errors need rows), plus SSE. Predictions are not clipped. */
export type GramMetrics = Omit<Metrics, 'mae'> & { readonly sse: number };

/**
 * SSE, MSE, RMSE and R² (metrics.ts's rule, SS_tot around these rows' mean label) of `model` on
 * the rows `g` summarizes. With r = y − prediction and c the residual at the shift,
 * r = e − bᵀd + c, so SSE = Σ(e − bᵀd)² + 2cΣ(e − bᵀd) + nc², from sy, syy, sx, sxy and sxx.
 * Unclipped: clipping to [0, H] needs each row's prediction. NaN everywhere for n = 0.
 */
export function metricsFromGram(g: Gram, model: LinearModel): GramMetrics {
  const { p, n } = g;
  if (model.coef.length !== p) throw new RangeError(`metricsFromGram: ${model.coef.length} coefficients for a Gram of ${p}`);
  if (n === 0) return { n: 0, sse: NaN, mse: NaN, rmse: NaN, r2: NaN };
  const b = model.coef;
  // The prediction at the shift, from the model's own centre when it has one.
  const centre = model.mean !== undefined && model.interceptStd !== undefined ? { x: model.mean, y: model.interceptStd } : null;
  let atShift = centre?.y ?? model.intercept;
  for (let j = 0; j < p; j++) atShift += (b[j] as number) * ((g.shift[j] as number) - (centre ? (centre.x[j] as number) : 0));
  const c = g.shiftY - atShift;
  let linear = g.sy; // Σ(e − bᵀd)
  let square = g.syy; // Σ(e − bᵀd)²
  for (let j = 0; j < p; j++) {
    const bj = b[j] as number;
    if (bj === 0) continue;
    linear -= bj * (g.sx[j] as number);
    let row = 0; // (sxx b)_j
    for (let k = 0; k < p; k++) row += (g.sxx[j * p + k] as number) * (b[k] as number);
    square += bj * (row - 2 * (g.sxy[j] as number));
  }
  const sse = Math.max(0, square + 2 * c * linear + n * c * c);
  const ssTot = Math.max(0, g.syy - (g.sy * g.sy) / n);
  const mse = sse / n;
  return { n, sse, mse, rmse: Math.sqrt(mse), r2: rSquared(sse, ssTot) };
}
