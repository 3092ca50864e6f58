// Regression metrics of time-to-fault predictions, and the constant baseline they are judged against.
// Pure; predictions are clipped to [0, H] first, as the published time_to_fault_s is.

export interface Metrics {
  readonly n: number;
  readonly mse: number;
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
}

export function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/**
 * R² = 1 − SS_res / SS_tot. When SS_tot = 0 (every true label equal) R² is undefined; like
 * scikit-learn's r2_score (force_finite=True) it is 1 for a perfect prediction and 0 otherwise,
 * so the value stays finite for the model card.
 */
export function rSquared(ssRes: number, ssTot: number): number {
  return ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
}

/**
 * mse, rmse, mae and R² of `yPred` (clipped to `range`, default no clipping) against `yTrue`.
 * R² (rSquared) with SS_tot around the mean of yTrue.
 * With no rows every metric is NaN and n is 0.
 */
export function metrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, range?: readonly [number, number]): Metrics {
  if (yTrue.length !== yPred.length) throw new RangeError(`metrics: ${yTrue.length} labels but ${yPred.length} predictions`);
  const n = yTrue.length;
  if (n === 0) return { n: 0, mse: NaN, rmse: NaN, mae: NaN, r2: NaN };
  const [lo, hi] = range ?? [-Infinity, Infinity];
  const mean = meanOf(yTrue);
  let ssRes = 0;
  let absSum = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] as number;
    const e = clip(yPred[i] as number, lo, hi) - t;
    ssRes += e * e;
    absSum += Math.abs(e);
    ssTot += (t - mean) * (t - mean);
  }
  const mse = ssRes / n;
  return { n, mse, rmse: Math.sqrt(mse), mae: absSum / n, r2: rSquared(ssRes, ssTot) };
}

/**
 * Metrics of the constant baseline: always predicting the mean training label (clipped),
 * the least a model must beat to be worth serving.
 */
export function baselineMetrics(
  yTrain: ArrayLike<number>,
  yTest: ArrayLike<number>,
  range?: readonly [number, number],
): Metrics & { readonly prediction: number } {
  const [lo, hi] = range ?? [-Infinity, Infinity];
  const prediction = clip(meanOf(yTrain), lo, hi);
  return { ...metrics(yTest, new Float64Array(yTest.length).fill(prediction), range), prediction };
}
