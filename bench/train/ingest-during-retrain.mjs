// npm run bench:retrain-ingest — how much ingest slows while a large retrain runs: publish-to-commit
// p50/p99 at a steady 2,000 messages/s, idle and then while the agent retrains on a buffer of about
// 1M samples (the retrain runs in a child process on its own read-only connection). Three times
// (BENCH_RETRAINS): the first retrain after the agent starts, then later ones, once a champion
// serves and SQLite's WAL file has grown to what a retrain's read snapshot holds back. Each idle
// window is 14 s, about as long as a 1M-sample retrain, so that both p99s rest on as many readings.
// A retrain's window runs on for 2 s after it ends, to count what it leaves behind (a new model
// to load, a WAL to checkpoint).
import { walBytes } from '../../dist/store/wal-release.js';
import { fmt, table } from '../lib/stats.mjs';
import { RATE, latenciesBetween, startLiveIngest, wallNow } from './live-ingest.mjs';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1_000_000);
const RETRAINS = Number(process.env.BENCH_RETRAINS ?? 3);
const SETTLE_MS = 2_000; // after a start: dropped; after a retrain: counted as the retrain's
const IDLE_MS = 14_000;

const load = await startLiveIngest({ samples: SAMPLES, name: 'retrain-ingest' });
const idleSince = [];
const walMb = () => walBytes(load.dbPath) / 2 ** 20;
const walBefore = [];
for (let i = 0; i < RETRAINS; i++) {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  idleSince.push(wallNow());
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  walBefore.push(walMb());
  await load.ask('retrain', (m) => m.trained);
}
await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
walBefore.push(walMb());
const report = await load.finish();

const ratios = [];
const parts = [];
const rows = report.retrains.flatMap((run, i) => {
  const idle = latenciesBetween(report, idleSince[i], run.start);
  const busy = latenciesBetween(report, run.start, run.end + SETTLE_MS);
  ratios.push(busy.p99 / idle.p99);
  const p99 = (from, to) => fmt(latenciesBetween(report, from, to).p99, 1);
  parts.push(`${p99(run.start, run.end)} / ${p99(run.end, run.end + SETTLE_MS)}`);
  const name = i === 0 ? 'first retrain' : `retrain ${i + 1}`;
  return [
    [`${name}: idle before`, idle.n, fmt(idle.p50, 1), fmt(idle.p99, 1), fmt(idle.max, 1)],
    [`${name}: during (${fmt((run.end - run.start) / 1000, 1)} s) + 2 s`, busy.n, fmt(busy.p50, 1), fmt(busy.p99, 1), fmt(busy.max, 1)],
    [`${name}: ratio`, '', fmt(busy.p50 / idle.p50, 2), fmt(busy.p99 / idle.p99, 2), ''],
  ];
});
const result = report.retrains.at(-1)?.result;
const sorted = [...ratios].sort((a, b) => a - b);
console.log(`\nIngest while retraining on ${result?.samples ?? '?'} samples, ${RATE} msg/s, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(table(['phase', 'readings', 'p50 ms', 'p99 ms', 'max ms'], rows));
console.log(`p99 ratios: ${ratios.map((r) => fmt(r, 2)).join(', ')}; median ${fmt(sorted[(sorted.length - 1) >> 1], 2)}; ${ratios.filter((r) => r <= 2).length} of ${ratios.length} at most 2`);
console.log(`p99 ms of the run alone / of the 2 s after it: ${parts.join(', ')}`);
console.log(`WAL file: ${walBefore.map((mb) => fmt(mb, 1)).join(' MB, then ')} MB (before each retrain, and at the end)`);
console.log(`peak RSS: agent ${fmt(report.maxRssKb / 1024, 0)} MB, training process ${result?.peakRssMb ?? '?'} MB`);
