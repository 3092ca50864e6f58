// npm run bench:retrain-ingest — how much ingest slows while a large retrain runs: publish-to-commit
// p50/p99 at a steady 2,000 messages/s, first idle, then while the agent retrains on a buffer of
// about 1M samples (the retrain runs in a child process on its own read-only connection).
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
const retrainAt = Date.now();
const trained = message((m) => m.trained);
agent.send('retrain');
await trained;
clearInterval(timer);
const reported = message((m) => m.commits);
agent.send('report');
const report = await reported;
await publisher.endAsync();
await new Promise((resolve) => agent.once('exit', resolve));
await broker.stop();
rmSync(dir, { recursive: true, force: true });

const { trainingStart = retrainAt, trainingEnd = Date.now(), result } = report.phases;
const idle = summarize(report.commits.filter(([t]) => t >= start + 2000 && t < retrainAt).map(([, l]) => l));
const busy = summarize(report.commits.filter(([t]) => t >= trainingStart && t <= trainingEnd).map(([, l]) => l));
console.log(`\nIngest while retraining on ${result?.samples ?? '?'} samples (retrain ${fmt((trainingEnd - trainingStart) / 1000, 1)} s), ${RATE} msg/s, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  table(
    ['phase', 'readings', 'p50 ms', 'p99 ms', 'max ms'],
    [
      ['idle', idle.n, fmt(idle.p50, 1), fmt(idle.p99, 1), fmt(idle.max, 1)],
      ['during retrain', busy.n, fmt(busy.p50, 1), fmt(busy.p99, 1), fmt(busy.max, 1)],
      ['ratio', '', fmt(busy.p50 / idle.p50, 2), fmt(busy.p99 / idle.p99, 2), ''],
    ],
  ),
);
console.log(`peak RSS: agent ${fmt(report.maxRssKb / 1024, 0)} MB, training process ${result?.peakRssMb ?? '?'} MB`);
