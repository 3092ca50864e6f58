// Part (a) of bench:train (issue 4): the fit alone from an in-memory n × 40 matrix (Gram + solve), in
// a process of its own so that its peak RSS is its own, beside scikit-learn's Ridge on the same matrix.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
export const P = 40;
const PYTHON = '/usr/bin/python3';
const MB = 1024 * 1024;

/** Fits n × P synthetic rows in a child process; with scikit-learn when `sklearn` is true (the matrix goes through `dir`). */
export function fitAlone(n, dir, sklearn) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', SELF, String(n), dir], { encoding: 'utf8', maxBuffer: 64 * MB });
  if (r.status !== 0) throw new Error(`fit of ${n} rows failed:\n${r.stderr}`);
  const fit = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const sk = sklearn ? sklearnFit(fit, dir) : null;
  delete fit.coef;
  return { ...fit, sklearn: sk };
}

export function sklearnAvailable() {
  return spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
}

async function fitChild(n, dir) {
  const { syntheticMatrix } = await import('./synthetic.mjs');
  const { fitRidge, gramOf } = await import('../../dist/learn/ridge.js');
  const { X, y } = syntheticMatrix(n, P);
  const rssBefore = process.memoryUsage().rss;
  const lambda = 1e-2 * n;
  const t0 = performance.now();
  const gram = gramOf(X, y, P);
  const t1 = performance.now();
  const model = fitRidge(gram, lambda);
  const t2 = performance.now();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  // For scikit-learn, after the measurement: raw float64, row-major.
  writeFileSync(join(dir, 'X.f64'), new Uint8Array(X.buffer));
  writeFileSync(join(dir, 'y.f64'), new Uint8Array(y.buffer));
  return { n, p: P, lambda, gram_ms: t1 - t0, solve_ms: t2 - t1, fit_ms: t2 - t0, rss_before_mb: rssBefore / MB, peak_rss_mb: peakRss / MB, matrix_mb: X.byteLength / MB, coef: model.coef, intercept: model.intercept };
}

const SKLEARN = `
import sys, time, resource, json
import numpy as np
from sklearn.linear_model import Ridge
n, p, lam = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
X = np.fromfile(sys.argv[4], dtype=np.float64).reshape(n, p)
y = np.fromfile(sys.argv[5], dtype=np.float64)
t = time.perf_counter(); Ridge(alpha=lam, solver='cholesky').fit(X, y); fit = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # after loading X and the timed fit only
# Agreement (not timed): ours penalizes standardized coefficients, so compare on standardized X.
mean, std = X.mean(axis=0), X.std(axis=0)
m = Ridge(alpha=lam, solver='cholesky').fit((X - mean) / std, y)
coef = m.coef_ / std
print(json.dumps({"fit_ms": fit * 1000, "coef": coef.tolist(), "intercept": float(m.intercept_ - coef @ mean),
                  "peak_rss_mb": peak}))
`;

function sklearnFit(fit, dir) {
  const r = spawnSync(PYTHON, ['-c', SKLEARN, String(fit.n), String(P), String(fit.lambda), join(dir, 'X.f64'), join(dir, 'y.f64')], { encoding: 'utf8', maxBuffer: 64 * MB });
  if (r.status !== 0) throw new Error(`scikit-learn failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const rel = out.coef.map((c, j) => Math.abs(c - fit.coef[j]) / Math.max(1e-12, Math.abs(c)));
  return { fit_ms: out.fit_ms, peak_rss_mb: out.peak_rss_mb, max_rel_coef_diff: Math.max(...rel) };
}

if (process.argv[1] === SELF) console.log(JSON.stringify(await fitChild(Number(process.argv[2]), process.argv[3])));
