// `npm run bench:train [-- SIZES…]`: the training benchmark (issues 4 and 14), on the built dist/.
// (a) the fit alone from an in-memory n × 40 matrix, beside scikit-learn (fit-alone.mjs); (b) a whole
// retrain from an SQLite buffer through the Trainer's training process, with today's defaults and with
// the recipe of earlier releases, each on a fresh copy of the same buffer (so each starts with an
// empty episode cache and no champion). Prints tables and writes bench/results/train-<time>.json.
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveResults } from '../lib/results.mjs';
import { fmt, table } from '../lib/stats.mjs';
import { fitAlone, P, sklearnAvailable } from './fit-alone.mjs';
import { defaultModel, retrain } from './retrain-run.mjs';
import { bufferShape, writeSyntheticBuffer } from './synthetic.mjs';

const MB = 1024 * 1024;
/** The steps of a retrain (src/train/job.ts), in the order they run; 'fleet' only in a fleet. */
const STEPS = ['recipe', 'episodes', 'sum', 'lambda', 'fit', 'calibrate', 'compare', 'fleet', 'refit'];

/** Today's defaults, and the defaults before issue 14 on the same model section. */
async function recipes() {
  const today = await defaultModel();
  return {
    'defaults': today,
    'old recipe': { ...today, features: ['mean', 'std', 'min', 'max', 'slope', 'last'], stride: 60_000, full_window: true },
  };
}

const s = (ms) => fmt(ms / 1000, 2);
const k = (n) => n.toLocaleString('en-US');

async function main(sizes) {
  const sklearn = sklearnAvailable();
  const results = { node: process.version, at: new Date().toISOString(), p: P, sklearn, fit: [], retrain: [] };
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-train-'));
  try {
    for (const n of sizes) {
      results.fit.push(fitAlone(n, dir, sklearn));
      process.stderr.write(`fit ${k(n)}: ${s(results.fit.at(-1).fit_ms)} s\n`);
    }
    const models = await recipes();
    for (const n of sizes) {
      const buffer = join(dir, `buffer-${n}.db`);
      const written = writeSyntheticBuffer(buffer, bufferShape(n));
      const dbMb = statSync(buffer).size / MB;
      for (const [name, model] of Object.entries(models)) {
        const copy = join(dir, 'retrain.db');
        copyFileSync(buffer, copy);
        const r = retrain(copy, model);
        rmSync(copy);
        results.retrain.push({ samples: n, ...written, db_mb: dbMb, recipe: name, model, ...r });
        process.stderr.write(`retrain ${k(n)}, ${name}: ${s(r.total_ms)} s\n`);
      }
      rmSync(buffer);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  print(results);
  saveResults('train', results);
}

function print(results) {
  console.log(`\nTraining benchmark, ${results.at}: node ${results.node}${results.sklearn ? ', scikit-learn via /usr/bin/python3' : ' (scikit-learn not available)'}`);
  console.log(`\n(a) fit alone, from an n × ${results.p} Float64Array in memory: Gram (XᵀX, Xᵀy) + standardize + Cholesky solve\n`);
  console.log(
    table(
      ['samples', 'fit s', 'Gram s', 'solve ms', 'matrix MB', 'peak RSS MB', 'sklearn fit s', 'ours / sklearn', 'sklearn RSS MB', 'max coef diff'],
      results.fit.map((r) => {
        const sk = r.sklearn;
        return [k(r.n), s(r.fit_ms), s(r.gram_ms), fmt(r.solve_ms, 1), fmt(r.matrix_mb, 0), fmt(r.peak_rss_mb, 0), sk ? s(sk.fit_ms) : '-', sk ? `${fmt(r.fit_ms / sk.fit_ms, 2)}×` : '-', sk ? fmt(sk.peak_rss_mb, 0) : '-', sk ? sk.max_rel_coef_diff.toExponential(1) : '-'];
      }),
    ),
  );
  console.log('\n(b) whole retrain from the SQLite buffer (Trainer: training process, empty episode cache, no champion); step times in s\n');
  const steps = STEPS.filter((name) => results.retrain.some((r) => r.steps_ms[name] !== undefined));
  console.log(
    table(
      ['samples', 'readings', 'DB MB', 'model config', 'features', 'stride s', 'rows', 'total s', ...steps, 'outside steps', 'training RSS MB', 'RMSE s (baseline)', 'RMSE s from sums'],
      results.retrain.map((r) => [
        k(r.samples),
        k(r.readings),
        fmt(r.db_mb, 0),
        r.recipe,
        r.features,
        r.stride_s,
        k(r.rows),
        s(r.total_ms),
        ...steps.map((name) => (r.steps_ms[name] === undefined ? '-' : s(r.steps_ms[name]))),
        s(r.total_ms - Object.values(r.steps_ms).reduce((a, b) => a + b, 0)),
        r.peak_rss_mb,
        `${fmt(r.rmse, 0)} (${fmt(r.baseline_rmse, 0)})`,
        fmt(r.rmse_from_sums, 0),
      ]),
    ),
  );
  console.log('\nOutside steps: starting the training process, loading its modules, the registry row.');
  console.log('RMSE s: the published output on the sampled rows of the test episodes (up to 64 each), and the mean training label on the same rows; from sums: the linear score on every test row.');
  for (const n of new Set(results.retrain.map((r) => r.samples))) {
    const [today, old] = ['defaults', 'old recipe'].map((name) => results.retrain.find((r) => r.samples === n && r.recipe === name));
    console.log(`${k(n)} samples: defaults / old recipe: time ${fmt(today.total_ms / old.total_ms, 2)}×, training RSS ${fmt(today.peak_rss_mb / old.peak_rss_mb, 2)}×`);
  }
  const big = results.retrain.find((r) => r.samples === 1_000_000 && r.recipe === 'defaults');
  if (big) console.log(`target of issue 14, the defaults at 1M under 60 s and 700 MB: ${s(big.total_ms)} s, ${big.peak_rss_mb} MB: ${big.total_ms < 60_000 && big.peak_rss_mb < 700 ? 'met' : 'MISSED'}`);
}

const args = process.argv.slice(2).map(Number);
await main(args.length > 0 ? args : [10_000, 100_000, 1_000_000]);
