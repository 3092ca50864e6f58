// Ridge regression on standardized features, from Gram sufficient statistics (predicting: linear.ts).
// The only importer of ml-matrix, for the small p × p solve only; n × p work stays in gram.ts.

import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { gramOf, type Gram } from './gram.js';
import { metricsFromGram } from './gram-metrics.js';
import { metrics } from './metrics.js';
import { splitByEpisode, type EpisodeTiming } from './split.js';
import { predictRows, type RidgeModel } from './linear.js';

export { gramOf, mergeGrams, reshiftGram } from './gram.js';
export type { Gram } from './gram.js';
export { contributions, predictRow, predictRows, topContributions, type RidgeModel } from './linear.js';

/**
 * A fitted linear model. Prediction = interceptStd + Σ coefStd[j]·(x[j] − mean[j]) / std[j]
 *                                   = intercept + Σ coef[j]·x[j].
 * Arrays are plain numbers so the model card and the registry can store it as JSON.
 */

/** The standardized normal equations without the penalty, shared by fits at several λ. */
export interface StandardizedSystem {
  readonly p: number;
  readonly n: number;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** Features with a nonzero std; the others get coefficient 0. */
  readonly active: number[];
  /** XsᵀXs over active features (q × q, row-major); its diagonal is n. */
  readonly xtx: Float64Array;
  /** Xsᵀ(y − ȳ) over active features. */
  readonly xty: Float64Array;
  readonly yMean: number;
}

// A feature whose std is below this share of its magnitude is constant up to rounding.
const CONSTANT_TOLERANCE = 1e-12;

/** Means, population stds and the standardized centred cross-products from a Gram. */
export function standardize(g: Gram): StandardizedSystem {
  const { p, n } = g;
  if (n < 2) throw new RangeError(`ridge needs at least 2 rows, got ${n}`);
  const mean = new Float64Array(p);
  const std = new Float64Array(p);
  const active: number[] = [];
  // Centred sums: Σ(x−x̄)(x−x̄)ᵀ = Σddᵀ − Σd·Σdᵀ/n, with d the shifted rows.
  const centred = (j: number, k: number): number => (g.sxx[j * p + k] as number) - ((g.sx[j] as number) * (g.sx[k] as number)) / n;
  for (let j = 0; j < p; j++) {
    mean[j] = (g.shift[j] as number) + (g.sx[j] as number) / n;
    const s = Math.sqrt(Math.max(centred(j, j), 0) / n);
    const constant = !(s > CONSTANT_TOLERANCE * (1 + Math.abs(mean[j] as number)));
    std[j] = constant ? 1 : s;
    if (!constant) active.push(j);
  }
  const q = active.length;
  const xtx = new Float64Array(q * q);
  const xty = new Float64Array(q);
  for (let a = 0; a < q; a++) {
    const j = active[a] as number;
    const sj = std[j] as number;
    xty[a] = ((g.sxy[j] as number) - ((g.sx[j] as number) * g.sy) / n) / sj;
    for (let b = a; b < q; b++) {
      const k = active[b] as number;
      const v = centred(j, k) / (sj * (std[k] as number));
      xtx[a * q + b] = v;
      xtx[b * q + a] = v; // exactly symmetric: ml-matrix's Cholesky checks for it
    }
  }
  return { p, n, mean, std, active, xtx, xty, yMean: g.shiftY + g.sy / n };
}

// Cholesky is trusted when every pivot keeps this share of the largest diagonal entry;
// below it the solution would be dominated by rounding, so the eigen route takes over.
const PIVOT_TOLERANCE = 1e-12;
// Eigenvalues below this share of the largest are treated as zero (minimum-norm solution).
const EIGEN_FLOOR = 1e-10;

/** Solves the symmetric q × q system A x = b: Cholesky, or an eigen pseudo-inverse when not safely PD. */
export function solveSymmetric(A: Float64Array, b: Float64Array, q: number): { x: Float64Array; solver: 'cholesky' | 'eigen' } {
  if (q === 0) return { x: new Float64Array(0), solver: 'cholesky' };
  const m = new Matrix(q, q);
  let maxDiag = 0;
  for (let i = 0; i < q; i++) {
    for (let j = 0; j < q; j++) m.set(i, j, A[i * q + j] as number);
    maxDiag = Math.max(maxDiag, A[i * q + i] as number);
  }
  const rhs = Matrix.columnVector(Array.from(b));
  const chol = new CholeskyDecomposition(m);
  if (chol.isPositiveDefinite() && minPivotSquared(chol.lowerTriangularMatrix, q) > PIVOT_TOLERANCE * maxDiag) {
    return { x: Float64Array.from(chol.solve(rhs).getColumn(0)), solver: 'cholesky' };
  }
  return { x: eigenSolve(m, b, q), solver: 'eigen' };
}

function minPivotSquared(L: Matrix, q: number): number {
  let min = Infinity;
  for (let i = 0; i < q; i++) min = Math.min(min, L.get(i, i) ** 2);
  return min;
}

/** x = Σ v_i (v_iᵀ b) / e_i over eigenpairs with e_i above the floor: the minimum-norm least-squares solution. */
function eigenSolve(m: Matrix, b: Float64Array, q: number): Float64Array {
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  const floor = EIGEN_FLOOR * Math.max(0, ...values);
  const x = new Float64Array(q);
  values.forEach((e, i) => {
    if (!(e > floor)) return;
    let vb = 0;
    for (let k = 0; k < q; k++) vb += V.get(k, i) * (b[k] as number);
    for (let k = 0; k < q; k++) x[k] = (x[k] as number) + (V.get(k, i) * vb) / e;
  });
  return x;
}

/** The ridge solution of a standardized system for one λ, as a model. */
export function solveRidge(sys: StandardizedSystem, lambda: number, featureNames?: readonly string[]): RidgeModel {
  if (!(lambda >= 0)) throw new RangeError(`ridge lambda must be ≥ 0, got ${lambda}`);
  const q = sys.active.length;
  const A = Float64Array.from(sys.xtx);
  for (let a = 0; a < q; a++) A[a * q + a] = (A[a * q + a] as number) + lambda;
  const { x, solver } = solveSymmetric(A, sys.xty, q);
  const coefStd = new Array<number>(sys.p).fill(0);
  sys.active.forEach((j, a) => (coefStd[j] = x[a] as number));
  const mean = Array.from(sys.mean);
  const std = Array.from(sys.std);
  const coef = coefStd.map((c, j) => c / (std[j] as number));
  const intercept = sys.yMean - coef.reduce((sum, c, j) => sum + c * (mean[j] as number), 0);
  const names = featureNames !== undefined ? [...featureNames] : mean.map((_, j) => `x${j}`);
  if (names.length !== sys.p) throw new RangeError(`ridge: ${names.length} feature names for ${sys.p} features`);
  return { featureNames: names, mean, std, coefStd, coef, intercept, interceptStd: sys.yMean, lambda, nTrain: sys.n, solver };
}

/**
 * Ridge regression from a Gram. Features are standardized with the training mean and
 * population std; the intercept is the mean label and is not penalized (the system is
 * centred). Solves (XsᵀXs + λI)β = Xsᵀ(y − ȳ) in closed form by Cholesky, falling back to an
 * eigen-decomposition pseudo-inverse (minimum-norm solution) when the matrix is singular or
 * ill-conditioned (λ = 0 with collinear features).
 *
 * λ penalizes the standardized coefficients, where XsᵀXs has diagonal n: λ = α·n shrinks a
 * lone feature's coefficient by 1 / (1 + α), whatever the number of rows.
 */
export function fitRidge(gram: Gram, lambda: number, featureNames?: readonly string[]): RidgeModel {
  return solveRidge(standardize(gram), lambda, featureNames);
}

/**
 * `ridge: auto` searches α in λ = α·n over half-decades from 1e-4 to 1e2 (13 values):
 * from "almost least squares" to "coefficients shrunk 100-fold".
 */
export const RIDGE_ALPHA_GRID: readonly number[] = Object.freeze([1e-4, 3.16e-4, 1e-3, 3.16e-3, 1e-2, 3.16e-2, 0.1, 0.316, 1, 3.16, 10, 31.6, 100]);

/** α used when there are too few training episodes to validate a choice: mild shrinkage. */
export const DEFAULT_RIDGE_ALPHA = 1e-2;

export interface LambdaOptions {
  /** Predictions are clipped to [0, H] before scoring, as served predictions are. */
  readonly horizonS: number;
  /** Share of the training episodes (the latest-ending) used for validation; default 0.2. */
  readonly validationFraction?: number;
  readonly alphas?: readonly number[];
}

export interface LambdaChoice {
  /** λ for a fit on all rows of the design: alpha × n. */
  readonly lambda: number;
  readonly alpha: number;
  readonly method: 'validation' | 'default';
  readonly reason: string;
  readonly nFit: number;
  readonly nValidation: number;
  /** Validation RMSE (seconds) of each candidate, in grid order. */
  readonly scores: Array<{ alpha: number; lambda: number; rmse: number }>;
}

/** Rows whose episode is in `chosen`. */
function rowsIn(rowEpisode: Int32Array, chosen: ReadonlySet<number>): Int32Array {
  const out: number[] = [];
  rowEpisode.forEach((e, r) => {
    if (chosen.has(e)) out.push(r);
  });
  return Int32Array.from(out);
}

/**
 * Picks λ for `ridge: auto` inside the training episodes, never looking at the test period:
 * the latest-ending training episodes (split.ts's rule, `validationFraction` of them) are
 * the validation set, the rest fit one Gram, and every α of the grid is solved from that
 * Gram (no n × p work per candidate beyond predicting the validation rows). The α with the
 * lowest validation RMSE of clipped predictions wins; ties go to the larger α (simpler model).
 * `episodes[rowEpisode[r]]` must give row r's episode timing.
 */
export function chooseLambda(
  design: { readonly X: Float64Array; readonly y: Float64Array; readonly p: number; readonly rowEpisode: Int32Array },
  episodes: readonly EpisodeTiming[],
  options: LambdaOptions,
): LambdaChoice {
  const n = design.y.length;
  const alphas = gridOf(options.alphas);
  const present = [...new Set(design.rowEpisode)].map((idx) => {
    const e = episodes[idx];
    if (e === undefined) throw new RangeError(`chooseLambda: row episode ${idx} is not in the episode list`);
    return { idx, asset: e.asset, start: e.start, end: e.end };
  });
  if (present.length < 2) return defaultChoice(n, `default alpha: ${present.length} training episode(s), need 2 to validate`);
  const split = splitByEpisode(present, options.validationFraction ?? 0.2);
  const fitRows = rowsIn(design.rowEpisode, new Set(split.train.map((e) => e.idx)));
  const valRows = rowsIn(design.rowEpisode, new Set(split.test.map((e) => e.idx)));
  if (fitRows.length < 2) return defaultChoice(n, `default alpha: ${fitRows.length} rows to fit before the validation episodes`);
  const sys = standardize(gramOf(design.X, design.y, design.p, fitRows));
  const yVal = Float64Array.from(valRows, (r) => design.y[r] as number);
  const scores = alphas.map((alpha) => {
    const model = solveRidge(sys, alpha * fitRows.length);
    const rmse = metrics(yVal, predictRows(model, design.X, valRows), [0, options.horizonS]).rmse;
    return { alpha, lambda: alpha * fitRows.length, rmse };
  });
  const best = bestScore(scores);
  const reason = `alpha ${best.alpha} by validation RMSE ${best.rmse.toFixed(1)} s on the ${split.test.length} latest of ${present.length} training episodes`;
  return { lambda: best.alpha * n, alpha: best.alpha, method: 'validation', reason, nFit: fitRows.length, nValidation: valRows.length, scores };
}

/**
 * chooseLambda from sums: every α of the grid is solved from the Gram of the fit episodes and
 * scored by the RMSE on the validation episodes computed from their Gram, so cached or fleet
 * statistics choose λ without rows. The RMSE is of unclipped predictions (clipping to [0, H]
 * needs each row's prediction), so it can differ slightly from chooseLambda's. Ties go to the
 * larger α. λ is α × (fit + validation rows), for the refit on both.
 */
export function chooseLambdaFromSums(fit: Gram, validation: Gram, alphas?: readonly number[]): LambdaChoice {
  const grid = gridOf(alphas);
  const n = fit.n + validation.n;
  if (fit.n < 2) return defaultChoice(n, `default alpha: ${fit.n} rows to fit before the validation episodes`);
  if (validation.n === 0) return defaultChoice(n, 'default alpha: no validation rows');
  const sys = standardize(fit);
  const scores = grid.map((alpha) => ({ alpha, lambda: alpha * fit.n, rmse: metricsFromGram(validation, solveRidge(sys, alpha * fit.n)).rmse }));
  const best = bestScore(scores);
  const reason = `alpha ${best.alpha} by validation RMSE ${best.rmse.toFixed(1)} s (unclipped, from sums) on ${validation.n} validation rows`;
  return { lambda: best.alpha * n, alpha: best.alpha, method: 'validation', reason, nFit: fit.n, nValidation: validation.n, scores };
}

function gridOf(alphas: readonly number[] | undefined): readonly number[] {
  const grid = alphas ?? RIDGE_ALPHA_GRID;
  if (grid.length === 0) throw new RangeError('chooseLambda: empty alpha grid');
  return grid;
}

function defaultChoice(n: number, reason: string): LambdaChoice {
  return { lambda: DEFAULT_RIDGE_ALPHA * n, alpha: DEFAULT_RIDGE_ALPHA, method: 'default', reason, nFit: n, nValidation: 0, scores: [] };
}

/** The lowest RMSE; ties go to the larger α (the simpler model). */
function bestScore<S extends { readonly alpha: number; readonly rmse: number }>(scores: readonly S[]): S {
  return scores.reduce((a, b) => (b.rmse < a.rmse || (b.rmse === a.rmse && b.alpha > a.alpha) ? b : a));
}
