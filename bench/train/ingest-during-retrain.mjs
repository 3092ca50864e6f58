// npm run bench:retrain-ingest — how much ingest slows while a large retrain runs: publish-to-commit
// p50/p99 at a steady 2,000 messages/s, idle and then while the agent retrains on a buffer of about
// 1M samples (the retrain runs in a child process on its own read-only connection). Twice: the
// first retrain after the agent starts, and a later one, once a champion serves and SQLite's WAL
// file has grown to what a retrain's read snapshot holds back.
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startMosquitto } from '../lib/mosquitto.mjs';
import { AGENT_NODE_FLAGS } from '../lib/node-flags.mjs';
import { fmt, summarize, table } from '../lib/stats.mjs';
import { writeSyntheticBuffer } from './synthetic.mjs';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1_000_000);
const RATE = 2_000;
const IDLE_S = 8;

const dir = mkdtempSync(join(tmpdir(), 'faultline-retrain-ingest-'));
const dbPath = join(dir, 'faultline.db');
console.error(`writing a buffer of about ${SAMPLES} samples...`);
writeSyntheticBuffer(dbPath, { assets: 20, minutes: Math.ceil(SAMPLES / 20 / 0.984) });
const broker = await startMosquitto();
const agent = fork(fileURLToPath(new URL('./agent-during-retrain.mjs', import.meta.url)), [broker.url, dbPath], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execArgv: AGENT_NODE_FLAGS,
});
const message = (predicate) => new Promise((resolve) => agent.on('message', (m) => predicate(m) && resolve(m)));
await message((m) => m.ready);

const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
let seq = 0;
const start = Date.now();
const timer = setInterval(() => {
  // Live readings from assets the buffer does not have, stamped now, with their publish time.
  const due = Math.floor(((Date.now() - start) / 1000) * RATE) - seq;
  for (let i = 0; i < due; i++, seq++) {
    publisher.publish(`plant/line1/live${seq % 50}/telemetry`, JSON.stringify({ ts: start + seq, temperature: 70, sent: performance.timeOrigin + performance.now() }), { qos: 1 });
  }
}, 5);
const idleSince = [start + 2000];
const walMb = () => (existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size / 2 ** 20 : 0);
const walBefore = [];
for (const _ of ['first', 'later']) {
  await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
  walBefore.push(walMb());
  const trained = message((m) => m.trained);
  agent.send('retrain');
  await trained;
  idleSince.push(performance.timeOrigin + performance.now() + 2000);
}
walBefore.push(walMb());
clearInterval(timer);
const reported = message((m) => m.commits);
agent.send('report');
const report = await reported;
await publisher.endAsync();
await new Promise((resolve) => agent.once('exit', resolve));
await broker.stop();
rmSync(dir, { recursive: true, force: true });

const between = (from, to) => summarize(report.commits.filter(([t]) => t >= from && t < to).map(([, l]) => l));
const rows = report.retrains.flatMap((run, i) => {
  const idle = between(idleSince[i], run.start);
  const busy = between(run.start, run.end);
  const name = i === 0 ? 'first retrain' : 'later retrain';
  return [
    [`${name}: idle before`, idle.n, fmt(idle.p50, 1), fmt(idle.p99, 1), fmt(idle.max, 1)],
    [`${name}: during (${fmt((run.end - run.start) / 1000, 1)} s)`, busy.n, fmt(busy.p50, 1), fmt(busy.p99, 1), fmt(busy.max, 1)],
    [`${name}: ratio`, '', fmt(busy.p50 / idle.p50, 2), fmt(busy.p99 / idle.p99, 2), ''],
  ];
});
const result = report.retrains.at(-1)?.result;
console.log(`\nIngest while retraining on ${result?.samples ?? '?'} samples, ${RATE} msg/s, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(table(['phase', 'readings', 'p50 ms', 'p99 ms', 'max ms'], rows));
console.log(`WAL file: ${walBefore.map((mb) => fmt(mb, 1)).join(' MB, then ')} MB (before each retrain, and at the end)`);
console.log(`peak RSS: agent ${fmt(report.maxRssKb / 1024, 0)} MB, training process ${result?.peakRssMb ?? '?'} MB`);
