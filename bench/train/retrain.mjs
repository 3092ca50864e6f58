// `npm run bench:retrain [-- SIZES…]` (issue 15): for each history size, a full retrain (empty episode
// cache), then the line goes on for 1% more minutes (readings and faults, later in time, as the
// generator would have written them) and the incremental retrain (same buffer, cache kept). Beside
// them, when its worktree is built, the release before issue 14 on a copy of the same history
// (old-release.mjs). Also the cache's size, one episode's Gram as packGram encodes it, and the message
// a real retrain shares with a fleet (one more retrain, cache kept, sharing on).
// Prints tables and writes bench/results/retrain-<time>.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDatabase } from '../../dist/store/db.js';
import { packGram, unpackGram } from '../../dist/learn/gram-codec.js';
import { MAX_SHARED_UNITS } from '../../dist/train/fleet-view.js';
import { saveResults } from '../lib/results.mjs';
import { fmt, table } from '../lib/stats.mjs';
import { copyForOldRelease, OLD_DIST, oldReleaseBuilt } from './old-release.mjs';
import { defaultModel, retrain, SHARING } from './retrain-run.mjs';
import { bufferShape, writeSyntheticBuffer } from './synthetic.mjs';

const MB = 1024 * 1024;
const GROWTH = 0.01;

/** What the cache holds: bytes per episode (its Gram and its row sample, averaged) and in all. */
function cacheSize(dbPath) {
  const db = openDatabase(dbPath, { sync: 'normal' });
  try {
    const blobs = db.prepare('SELECT count(*) AS episodes, avg(length(gram)) AS gram, avg(length(sample)) AS sample, avg(coalesce(length(resume), 0)) AS resume FROM episode_stats').get();
    // Pages of the table and its indexes, as the file holds them.
    const pages = db.prepare("SELECT sum(pgsize) FROM dbstat WHERE name IN ('episode_stats', 'episode_stats_end') OR name LIKE 'sqlite_autoindex_episode_stats%'").pluck().get();
    return { ...blobs, total_mb: pages / MB, fleet: fleetGram(db) };
  } finally {
    db.close();
  }
}

/** A closed episode's Gram as a fleet message would carry it: packGram's bytes, raw and gzipped (averaged over the episodes). */
function fleetGram(db) {
  const blobs = db.prepare("SELECT gram FROM episode_stats WHERE gram IS NOT NULL AND key <> 'open'").pluck().all();
  let raw = 0;
  let gzip = 0;
  for (const blob of blobs) {
    const unpacked = unpackGram(blob, blob.readUInt32LE(4));
    if ('reason' in unpacked) throw new Error(`a cached Gram does not unpack: ${unpacked.reason}`);
    const bytes = packGram(unpacked.gram);
    raw += bytes.length;
    gzip += gzipSync(bytes).length;
  }
  return { episodes: blobs.length, raw: raw / blobs.length, gzip: gzip / blobs.length };
}

async function oneSize(n, dir, model, oldModel) {
  const buffer = join(dir, `buffer-${n}.db`);
  const shape = bufferShape(n);
  const written = writeSyntheticBuffer(buffer, shape);
  let old = null;
  if (oldModel) {
    const copy = join(dir, `old-${n}.db`);
    await copyForOldRelease(buffer, copy);
    old = retrain(copy, oldModel, { dist: OLD_DIST });
    rmSync(copy);
    process.stderr.write(`${n}: release before issue 14 ${fmt(old.total_ms / 1000, 1)} s\n`);
  }
  const full = retrain(buffer, model);
  process.stderr.write(`${n}: full retrain ${fmt(full.total_ms / 1000, 1)} s\n`);
  const minutes = Math.round(shape.minutes * (1 + GROWTH));
  const appended = writeSyntheticBuffer(buffer, { ...shape, minutes, from: shape.minutes });
  const incremental = retrain(buffer, model);
  process.stderr.write(`${n}: incremental retrain ${fmt(incremental.total_ms / 1000, 1)} s\n`);
  const cache = cacheSize(buffer);
  // Nothing new since: the cache holds every episode, so this adds the fleet's units and the message.
  const shared = retrain(buffer, model, { fleet: SHARING });
  if (shared.fleet?.payload_bytes === undefined) throw new Error(`the retrain shared no message: ${JSON.stringify(shared.fleet)}`);
  process.stderr.write(`${n}: retrain sharing with the fleet ${fmt(shared.total_ms / 1000, 1)} s, message ${shared.fleet.payload_bytes} B\n`);
  rmSync(buffer);
  return { samples: n, ...shape, readings: written.readings, faults: written.faults, appended, old, full, incremental, shared, cache };
}

async function main(sizes) {
  const model = await defaultModel();
  const oldModel = oldReleaseBuilt() ? await defaultModel(OLD_DIST) : null;
  const results = { node: process.version, at: new Date().toISOString(), growth: GROWTH, model, old_release: oldModel ? OLD_DIST : null, fleet_units_cap: MAX_SHARED_UNITS, sizes: [] };
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-retrain-'));
  try {
    for (const n of sizes) results.sizes.push(await oneSize(n, dir, model, oldModel));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  print(results);
  saveResults('retrain', results);
}

const s = (ms) => fmt(ms / 1000, 2);
const k = (n) => n.toLocaleString('en-US');

function print(results) {
  const withOld = results.old_release !== null;
  console.log(`\nRetrain benchmark, ${results.at}: node ${results.node}, today's model defaults; ${withOld ? `the release before issue 14 from ${results.old_release} (its own defaults)` : 'the release before issue 14 not built: no column for it'}`);
  console.log(`full: the whole history, empty episode cache; incremental: ${results.growth * 100}% more minutes appended, cache kept\n`);
  console.log(
    table(
      ['samples', 'readings', 'episodes', ...(withOld ? ['before issue 14 s', 'its RSS MB'] : []), 'full s', 'full RSS MB', 'incremental s', 'incremental RSS MB', 'full / incr.', ...(withOld ? ['before 14 / incr.'] : []), 'cache B/episode: gram + sample', 'cache MB', 'fleet Gram B: raw / gzip'],
      results.sizes.map((r) => {
        const { old, full, incremental: inc, cache } = r;
        return [
          k(r.samples),
          k(r.readings),
          k(cache.episodes),
          ...(old ? [s(old.total_ms), old.peak_rss_mb] : withOld ? ['-', '-'] : []),
          s(full.total_ms),
          full.peak_rss_mb,
          s(inc.total_ms),
          inc.peak_rss_mb,
          `${fmt(full.total_ms / inc.total_ms, 1)}×`,
          ...(withOld ? [old ? `${fmt(old.total_ms / inc.total_ms, 1)}×` : '-'] : []),
          `${fmt(cache.gram, 0)} + ${fmt(cache.sample, 0)}`,
          fmt(cache.total_mb, 1),
          `${fmt(cache.fleet.raw, 0)} / ${fmt(cache.fleet.gzip, 0)}`,
        ];
      }),
    ),
  );
  console.log(`\nThe fleet message (issue 15): one more retrain of the same buffer, cache kept, sharing with a fleet (${results.fleet_units_cap} units at most, older ones folded into buckets); its payload is the encoded, gzip-compressed message\n`);
  console.log(
    table(
      ['samples', 'cache episodes', 'cache B/episode', 'message B', 'units in it', 'B/unit', 'B/cache episode', 'sharing retrain s', "of it, step 'fleet' s"],
      results.sizes.map(({ samples, cache, shared }) => {
        const bytes = shared.fleet.payload_bytes;
        return [k(samples), k(cache.episodes), fmt(cache.gram + cache.sample, 0), k(bytes), shared.fleet.units, fmt(bytes / shared.fleet.units, 0), fmt(bytes / cache.episodes, 0), s(shared.total_ms), s(shared.steps_ms.fleet ?? NaN)];
      }),
    ),
  );
  console.log('\nSteps of each retrain, s (steps_ms of its "retrain finished" log line)\n');
  // Outside the steps: starting the training process, loading its modules, the registry row.
  const steps = (r) => [...Object.entries(r.steps_ms), ['outside steps', r.total_ms - Object.values(r.steps_ms).reduce((a, b) => a + b, 0)]].map(([name, ms]) => `${name} ${s(ms)}`).join(', ');
  console.log(
    table(
      ['samples', 'retrain', 'rows', 'features', 'stride s', 'steps', 'RMSE s (baseline)'],
      results.sizes.flatMap((r) =>
        [['before issue 14', r.old], ['full', r.full], ['incremental', r.incremental], ['sharing', r.shared]]
          .filter(([, x]) => x !== null)
          .map(([name, x]) => [k(r.samples), name, k(x.rows), x.features, x.stride_s, steps(x), `${fmt(x.rmse, 0)} (${fmt(x.baseline_rmse, 0)})`]),
      ),
    ),
  );
  const at1M = results.sizes.find((r) => r.samples === 1_000_000);
  if (at1M) {
    const ratio = at1M.full.total_ms / at1M.incremental.total_ms;
    console.log(`\ntarget of issue 15, the incremental retrain at 1M at least 10× faster than the full one: ${fmt(ratio, 1)}×: ${ratio >= 10 ? 'met' : 'MISSED'}`);
  }
  const worst = Math.max(...results.sizes.map((r) => r.incremental.peak_rss_mb));
  console.log(`target of issue 15, the incremental retrain's peak RSS under 200 MB at every size: at most ${worst} MB: ${worst < 200 ? 'met' : 'MISSED'}`);
}

const args = process.argv.slice(2).map(Number);
await main(args.length > 0 ? args : [100_000, 1_000_000, 4_000_000]);
