// A fitted linear model and how it predicts: the part of ridge regression live prediction needs,
// without the solver (ml-matrix stays out of the agent's main thread). Pure.

export interface RidgeModel {
  readonly featureNames: string[];
  /** Training mean of each feature. */
  readonly mean: number[];
  /** Training population std of each feature; 1 for a constant feature (whose coefficient is 0). */
  readonly std: number[];
  /** Coefficients of the standardized features, in seconds per training std. */
  readonly coefStd: number[];
  /** Coefficients in original units (seconds per feature unit). */
  readonly coef: number[];
  /** Intercept in original units (the prediction at x = 0). */
  readonly intercept: number;
  /** Intercept of the standardized model: the mean training label ȳ. */
  readonly interceptStd: number;
  /** The penalty λ used (see fitRidge). */
  readonly lambda: number;
  readonly nTrain: number;
  /** 'cholesky' normally; 'eigen' when the system was singular or ill-conditioned. */
  readonly solver: 'cholesky' | 'eigen';
}

/** The model's prediction (seconds, not clipped) for one feature row; NaN if a used feature is NaN. */
export function predictRow(model: RidgeModel, x: ArrayLike<number>): number {
  let sum = model.interceptStd;
  for (let j = 0; j < model.coefStd.length; j++) {
    const c = model.coefStd[j] as number;
    if (c !== 0) sum += (c * ((x[j] as number) - (model.mean[j] as number))) / (model.std[j] as number);
  }
  return sum;
}

/** Predictions for rows of X (n × p row-major), all rows when `rows` is omitted. */
export function predictRows(model: RidgeModel, X: Float64Array, rows?: ArrayLike<number>): Float64Array {
  const p = model.coefStd.length;
  const count = rows === undefined ? X.length / p : rows.length;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const r = rows === undefined ? i : (rows[i] as number);
    out[i] = predictRow(model, X.subarray(r * p, r * p + p));
  }
  return out;
}

/** Each feature's term coefStd[j]·(x[j] − mean[j]) / std[j], in seconds; they sum to prediction − ȳ. */
export function contributions(model: RidgeModel, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(model.coefStd, (c, j) => (c === 0 ? 0 : (c * ((x[j] as number) - (model.mean[j] as number))) / (model.std[j] as number)));
}

/** The `limit` largest terms by magnitude, largest first, for the prediction payload. */
export function topContributions(model: RidgeModel, x: ArrayLike<number>, limit = 5): Array<{ feature: string; value: number }> {
  const terms = Array.from(contributions(model, x), (value, j) => ({ feature: model.featureNames[j] as string, value }));
  return terms.sort((a, b) => Math.abs(b.value) - Math.abs(a.value)).slice(0, limit);
}
