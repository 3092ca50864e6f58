// Reference test: fitRidge (Gram + Cholesky) against two independent computations of the same
// ridge problem: (1) Householder QR of the augmented least-squares system, written here;
// (2) scikit-learn numbers recorded with the script below.
import { describe, expect, it } from 'vitest';
import { fitRidge, gramOf } from '../../../src/learn/ridge.js';

const X = [
  [1.2, 20.5, 0.31], [2.3, 19.1, 0.12], [3.1, 22.3, 0.45], [4.8, 18.7, 0.27],
  [5.0, 25.2, 0.58], [6.7, 21.9, 0.33], [7.1, 23.4, 0.61], [8.4, 26.8, 0.49],
  [9.9, 24.1, 0.72], [10.2, 28.3, 0.55], [11.5, 27.7, 0.81], [12.8, 30.2, 0.69],
];
const y = [7100, 6850, 6400, 6020, 5500, 5120, 4800, 4210, 3700, 3350, 2900, 2400];

/*
 * Recorded with scikit-learn 1.2.1 (/usr/bin/python3), by this script:
 *
 *   import numpy as np
 *   from sklearn.linear_model import Ridge
 *   from sklearn.preprocessing import StandardScaler
 *   X = np.array([...the 12 rows above...]); y = np.array([...the labels above...], dtype=float)
 *   sc = StandardScaler()              # population std (ddof=0), as fitRidge standardizes
 *   Xs = sc.fit_transform(X)
 *   for lam in [0.5, 5.0]:
 *       m = Ridge(alpha=lam, solver='svd').fit(Xs, y)
 *       coef = m.coef_ / sc.scale_
 *       print(lam, list(m.coef_), m.intercept_, list(coef), m.intercept_ - coef @ sc.mean_)
 */
const SKLEARN: Record<string, { coefStd: number[]; interceptStd: number; coef: number[]; intercept: number }> = {
  '0.5': {
    coefStd: [-1129.4057551276765, -272.93406565539857, -111.66617269028144],
    interceptStd: 4862.5,
    coef: [-314.96503723475115, -76.70888255412488, -566.6000194251541],
    intercept: 9163.294679814524,
  },
  '5': {
    coefStd: [-671.0471146734569, -381.61207800252276, -278.6878258886549],
    interceptStd: 4862.5,
    coef: [-187.1394567451132, -107.25314189871281, -1414.07665148542],
    intercept: 9431.53374569683,
  },
};

/** Least squares min ‖A b − r‖ by Householder QR (m ≥ n), then back substitution. */
function qrLeastSquares(A: number[][], r: number[]): number[] {
  const m = A.length;
  const n = (A[0] as number[]).length;
  const R = A.map((row) => [...row]);
  const q = [...r];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += (R[i]![k] as number) ** 2;
    norm = Math.sqrt(norm);
    const alpha = (R[k]![k] as number) > 0 ? -norm : norm;
    const v = new Array<number>(m).fill(0);
    for (let i = k; i < m; i++) v[i] = R[i]![k] as number;
    v[k] = (v[k] as number) - alpha;
    const vv = v.reduce((a, x) => a + x * x, 0);
    if (vv === 0) continue;
    const reflect = (col: (i: number) => number, set: (i: number, x: number) => void): void => {
      let dot = 0;
      for (let i = k; i < m; i++) dot += (v[i] as number) * col(i);
      for (let i = k; i < m; i++) set(i, col(i) - (2 * dot * (v[i] as number)) / vv);
    };
    for (let j = k; j < n; j++) reflect((i) => R[i]![j] as number, (i, x) => (R[i]![j] = x));
    reflect((i) => q[i] as number, (i, x) => (q[i] = x));
  }
  const b = new Array<number>(n).fill(0);
  for (let k = n - 1; k >= 0; k--) {
    let s = q[k] as number;
    for (let j = k + 1; j < n; j++) s -= (R[k]![j] as number) * (b[j] as number);
    b[k] = s / (R[k]![k] as number);
  }
  return b;
}

/** Ridge by augmented least squares: stack √λ·I under the standardized X, zeros under y − ȳ. */
function augmentedRidge(lambda: number) {
  const n = X.length;
  const p = 3;
  const mean = [0, 1, 2].map((j) => X.reduce((a, r) => a + (r[j] as number), 0) / n);
  const std = [0, 1, 2].map((j) => Math.sqrt(X.reduce((a, r) => a + ((r[j] as number) - (mean[j] as number)) ** 2, 0) / n));
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  const A = X.map((r) => r.map((v, j) => (v - (mean[j] as number)) / (std[j] as number)));
  for (let j = 0; j < p; j++) A.push([0, 1, 2].map((k) => (k === j ? Math.sqrt(lambda) : 0)));
  const rhs = [...y.map((v) => v - yMean), 0, 0, 0];
  const coefStd = qrLeastSquares(A, rhs);
  const coef = coefStd.map((c, j) => c / (std[j] as number));
  return { coefStd, coef, interceptStd: yMean, intercept: yMean - coef.reduce((a, c, j) => a + c * (mean[j] as number), 0) };
}

function expectRelClose(got: number, want: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.abs(want));
}

describe('ridge reference values', () => {
  const gram = gramOf(Float64Array.from(X.flat()), Float64Array.from(y), 3);

  for (const lambda of [0.5, 5]) {
    it(`matches augmented least squares by QR at lambda = ${lambda}`, () => {
      const m = fitRidge(gram, lambda);
      const ref = augmentedRidge(lambda);
      ref.coefStd.forEach((c, j) => expectRelClose(m.coefStd[j] as number, c));
      ref.coef.forEach((c, j) => expectRelClose(m.coef[j] as number, c));
      expectRelClose(m.intercept, ref.intercept);
      expectRelClose(m.interceptStd, ref.interceptStd);
    });

    it(`matches scikit-learn's Ridge on StandardScaler features at lambda = ${lambda}`, () => {
      const m = fitRidge(gram, lambda);
      const ref = SKLEARN[String(lambda)]!;
      ref.coefStd.forEach((c, j) => expectRelClose(m.coefStd[j] as number, c));
      ref.coef.forEach((c, j) => expectRelClose(m.coef[j] as number, c));
      expectRelClose(m.intercept, ref.intercept);
      expectRelClose(m.interceptStd, ref.interceptStd);
    });
  }

  it('the two references agree with each other (the QR routine itself is right)', () => {
    const qr = augmentedRidge(5);
    qr.coefStd.forEach((c, j) => expectRelClose(c, SKLEARN['5']!.coefStd[j] as number));
  });

  it('differs between the two lambdas (the comparison is not vacuous)', () => {
    expect(Math.abs((fitRidge(gram, 0.5).coefStd[0] as number) - (fitRidge(gram, 5).coefStd[0] as number))).toBeGreaterThan(100);
  });
});
