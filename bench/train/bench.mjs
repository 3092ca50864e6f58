// `npm run bench:train [-- SIZES…]`: the training benchmark of issue 4, on the built dist/.
// (a) the fit alone from an in-memory n × 40 matrix (Gram + solve), beside scikit-learn's Ridge on
// the same matrix; (b) the whole retrain from an SQLite buffer (plan, features, selection, λ, fit,
// refit, registry) through the Trainer's training process. Each measurement runs in its own process,
// so its peak RSS is its own. Prints a table and writes bench/results/train-<time>.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const P = 40;
const PYTHON = '/usr/bin/python3';
const MB = 1024 * 1024;

// ---- child modes: one measurement each, result as the last stdout line (JSON) ----

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

async function retrainChild(path) {
  const { BENCH_MODEL } = await import('./synthetic.mjs');
  const { createLogger } = await import('../../dist/log.js');
  const { openDatabase } = await import('../../dist/store/db.js');
  const { ModelRegistry } = await import('../../dist/store/models.js');
  const { Trainer } = await import('../../dist/train/trainer.js');
  const logs = [];
  const log = createLogger('info', { write: (line) => void logs.push(JSON.parse(line)) });
  const db = openDatabase(path, { sync: 'normal' });
  const trainer = new Trainer({ dbPath: path, registry: new ModelRegistry(db), model: BENCH_MODEL, log });
  const t0 = performance.now();
  const result = await trainer.run('cli');
  const total = performance.now() - t0;
  db.close();
  if (result.status !== 'trained') throw new Error(`retrain did not train: ${JSON.stringify(result)}`);
  const steps = logs.find((l) => l.msg?.startsWith('retrain finished'))?.steps_ms ?? {};
  const card = result.card;
  // The peak of the training process (where the matrix lives), not of this one.
  return { total_ms: total, steps_ms: steps, peak_rss_mb: result.peakRssMb, n: card.n_train + card.n_test, n_train: card.n_train, n_test: card.n_test, validation: card.lambda_selection.validation_samples, episodes: card.episodes, r2: card.metrics.challenger.r2, rmse: card.metrics.challenger.rmse, baseline_rmse: card.metrics.baseline.rmse, features: card.features.length };
}

// ---- scikit-learn on the same matrix ----

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

function sklearnAvailable() {
  return spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
}

function sklearnFit(fit, dir) {
  const r = spawnSync(PYTHON, ['-c', SKLEARN, String(fit.n), String(P), String(fit.lambda), join(dir, 'X.f64'), join(dir, 'y.f64')], { encoding: 'utf8', maxBuffer: 64 * MB });
  if (r.status !== 0) throw new Error(`scikit-learn failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const rel = out.coef.map((c, j) => Math.abs(c - fit.coef[j]) / Math.max(1e-12, Math.abs(c)));
  return { fit_ms: out.fit_ms, peak_rss_mb: out.peak_rss_mb, max_rel_coef_diff: Math.max(...rel) };
}

// ---- orchestration ----

function child(args) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', SELF, ...args], { encoding: 'utf8', maxBuffer: 64 * MB });
  if (r.status !== 0) throw new Error(`bench child ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

/** Assets and minutes per asset that yield about `n` samples with stride 1 min (≈ 0.98 per minute). */
function bufferShape(n) {
  const assets = n <= 10_000 ? 4 : n <= 100_000 ? 10 : 20;
  return { assets, minutes: Math.ceil(n / assets / 0.984) };
}

const f = (v, d = 2) => (v === undefined || v === null ? '-' : Number(v).toFixed(d));
const s = (ms) => f(ms / 1000);
const k = (n) => n.toLocaleString('en-US');
const row = (cells, widths) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');

async function main(sizes) {
  const { writeSyntheticBuffer } = await import('./synthetic.mjs');
  const withSklearn = sklearnAvailable();
  const results = { node: process.version, p: P, sklearn: withSklearn, fit: [], retrain: [] };
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-train-'));
  try {
    for (const n of sizes) {
      const fit = child(['fit', String(n), dir]);
      const sk = withSklearn ? sklearnFit(fit, dir) : null;
      delete fit.coef;
      results.fit.push({ ...fit, sklearn: sk });
      process.stderr.write(`fit ${k(n)}: ${s(fit.fit_ms)} s\n`);
    }
    for (const n of sizes) {
      const path = join(dir, `buffer-${n}.db`);
      const t = performance.now();
      const written = writeSyntheticBuffer(path, bufferShape(n));
      const generateMs = performance.now() - t;
      const retrain = child(['retrain', path]);
      results.retrain.push({ target: n, ...written, db_mb: statSync(path).size / MB, generate_ms: generateMs, ...retrain });
      rmSync(path, { force: true });
      process.stderr.write(`retrain ${k(n)}: ${s(retrain.total_ms)} s\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  print(results);
  mkdirSync(join(REPO, 'bench/results'), { recursive: true });
  const file = join(REPO, `bench/results/train-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nraw results: ${file}`);
}

function print(results) {
  console.log(`\nTraining benchmark: node ${results.node}, ${results.p} features${results.sklearn ? ', scikit-learn via /usr/bin/python3' : ' (scikit-learn not available)'}`);
  console.log('\n(a) fit alone, from an n × 40 Float64Array in memory: Gram (XᵀX, Xᵀy) + standardize + Cholesky solve');
  const wa = [9, 8, 8, 9, 10, 12, 13, 14, 15, 13];
  console.log(row(['samples', 'fit s', 'Gram s', 'solve ms', 'matrix MB', 'peak RSS MB', 'sklearn fit s', 'ours / sklearn', 'sklearn RSS MB', 'max coef diff'], wa));
  for (const r of results.fit) {
    const sk = r.sklearn;
    console.log(row([k(r.n), s(r.fit_ms), s(r.gram_ms), f(r.solve_ms, 1), f(r.matrix_mb, 0), f(r.peak_rss_mb, 0), sk ? s(sk.fit_ms) : '-', sk ? `${f(r.fit_ms / sk.fit_ms)}×` : '-', sk ? f(sk.peak_rss_mb, 0) : '-', sk ? sk.max_rel_coef_diff.toExponential(1) : '-'], wa));
  }
  console.log('\n(b) whole retrain from the SQLite buffer (Trainer: child process, read-only snapshot, registry row)');
  const wb = [9, 9, 6, 8, 7, 9, 8, 8, 6, 7, 15, 15, 12];
  console.log(row(['samples', 'readings', 'DB MB', 'total s', 'plan s', 'extract s', 'select s', 'lambda s', 'fit s', 'refit s', 'training RSS MB', 'RMSE s (base)', 'cache ≤ s'], wb));
  for (const r of results.retrain) {
    const st = r.steps_ms;
    // What a per-episode Gram cache could skip at best: extraction, selection and fitting of the
    // training rows outside the validation episodes (test, validation and open episodes need rows anyway).
    const cacheable = Math.max(0, r.n_train - r.validation) / r.n;
    const bound = cacheable * ((st.extract ?? 0) + (st.select ?? 0) + (st.lambda ?? 0) + (st.fit ?? 0));
    console.log(row([k(r.n), k(r.readings), f(r.db_mb, 0), s(r.total_ms), s(st.plan), s(st.extract), s(st.select), s(st.lambda), s(st.fit), s(st.refit ?? 0), f(r.peak_rss_mb, 0), `${f(r.rmse, 0)} (${f(r.baseline_rmse, 0)})`, `${s(bound)} (${f((100 * bound) / r.total_ms, 0)}%)`], wb));
  }
  const big = results.fit.find((r) => r.n === 1_000_000);
  if (big) console.log(`\ntarget 1M × 40 fit < 3 s and peak RSS < 600 MB: ${s(big.fit_ms)} s, ${f(big.peak_rss_mb, 0)} MB (the matrix itself is ${f(big.matrix_mb, 0)} MB)`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'fit') console.log(JSON.stringify(await fitChild(Number(args[0]), args[1])));
else if (mode === 'retrain') console.log(JSON.stringify(await retrainChild(args[0])));
else await main((mode === undefined ? [10_000, 100_000, 1_000_000] : [mode, ...args].map(Number)));
