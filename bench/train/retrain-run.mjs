// One retrain of a buffer through a build's Trainer (its training process, as the agent and `faultline
// train` run it), in a process of its own: `node retrain-run.mjs DIST DB MODEL_JSON`. DIST is a built
// dist/ (this tree's, or an earlier release's); the result is the last line of stdout, as JSON.
// retrain() runs it from the benchmarks; its `fleet` option makes it share its statistics with a fleet.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
export const DIST = fileURLToPath(new URL('../../dist', import.meta.url));

/**
 * This gateway sharing with a fleet of no other member yet (config fleet: { id, share: true }), as
 * workerFleet (src/train/trainer.ts) gives it to the training process: its message, not others'.
 */
export const SHARING = { selector: { id: 'bench', members: [], max_message_bytes: 16 * 1024 * 1024 }, agent: 'bench-01', share: true, learn: false, waitMs: 86_400_000 };

/** Runs one retrain in a child process; `dist` picks the build, `fleet` (SHARING) shares. Throws when it does not train. */
export function retrain(dbPath, model, { dist = DIST, fleet = null } = {}) {
  const r = spawnSync(process.execPath, [SELF, dist, dbPath, JSON.stringify(model), JSON.stringify(fleet)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`retrain of ${dbPath} failed:\n${r.stderr}${r.stdout.slice(-4000)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

/** The build's default `model` config section, as an empty config file gives it. */
export async function defaultModel(dist = DIST) {
  const { configSchema } = await import(pathToFileURL(`${dist}/config/schema.js`).href);
  return configSchema.shape.model.parse(undefined);
}

async function run(dist, dbPath, model, fleet) {
  const load = (path) => import(pathToFileURL(`${dist}/${path}`).href);
  const [{ createLogger }, { openDatabase }, { ModelRegistry }, { Trainer }] = await Promise.all(['log.js', 'store/db.js', 'store/models.js', 'train/trainer.js'].map(load));
  const logs = [];
  const log = createLogger('info', { write: (line) => void logs.push(JSON.parse(line)) });
  const db = openDatabase(dbPath, { sync: 'normal' });
  const trainer = new Trainer({ dbPath, registry: new ModelRegistry(db), model, log, ...(fleet ? { fleet } : {}) });
  const t0 = performance.now();
  const result = await trainer.run('cli');
  const totalMs = performance.now() - t0;
  db.close();
  if (result.status !== 'trained') throw new Error(`the retrain did not train: ${JSON.stringify(result)}`);
  const { card } = result;
  const { challenger, baseline } = card.metrics;
  return {
    total_ms: totalMs,
    steps_ms: logs.find((l) => l.msg?.startsWith('retrain finished'))?.steps_ms ?? {},
    // The training process's peak (where the work happens), not this one's.
    peak_rss_mb: result.peakRssMb,
    features: card.features.length + card.dropped_features.length,
    stride_s: card.stride_s ?? model.stride / 1000,
    rows: card.n_train + card.n_test,
    episodes: card.episodes.train + card.episodes.test,
    rmse: challenger.rmse,
    rmse_rows: challenger.n,
    baseline_rmse: baseline.rmse,
    // This release: the linear score on every test row, from the sums (challenger is on sampled rows).
    rmse_from_sums: card.metrics.from_sums?.rmse ?? null,
    promoted: result.promoted,
    // The message shared with the fleet: gzip-compressed bytes, and the units it sums.
    fleet: result.fleet?.kind === 'encoded' ? { payload_bytes: result.fleet.payload.length, units: result.fleet.episodes } : (result.fleet ?? null),
  };
}

if (process.argv[1] === SELF) {
  const [dist, dbPath, model, fleet] = process.argv.slice(2);
  console.log(JSON.stringify(await run(dist, dbPath, JSON.parse(model), JSON.parse(fleet))));
}
