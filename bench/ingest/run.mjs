// npm run bench:ingest — faultline storing every reading against a bare mqtt.js subscriber that only
// counts, same Mosquitto, same publisher, same message stream, in one run; at QoS 1 and QoS 0.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMosquitto } from '../lib/mosquitto.mjs';
import { AGENT_NODE_FLAGS } from '../lib/node-flags.mjs';
import { fmt, summarize, table } from '../lib/stats.mjs';

const COUNT = Number(process.env.BENCH_MESSAGES ?? 200_000);
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

function child(file, args, execArgv = []) {
  const proc = fork(here(file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
  const messages = [];
  const waiters = [];
  proc.on('message', (m) => {
    messages.push(m);
    for (const w of waiters.splice(0)) w();
  });
  const next = (predicate, ms) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file}: no answer within ${ms} ms`)), ms);
      const check = () => {
        const found = messages.find(predicate);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return { proc, next };
}

async function trial(contender, qos, sync = 'full') {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-ingest-'));
  try {
    // Both consumers run with the unit's Node.js flags, so that their RSS compares fairly.
    const consumer =
      contender === 'bare'
        ? child('./bare-subscriber.mjs', [broker.url, String(COUNT), String(qos)], AGENT_NODE_FLAGS)
        : child('./agent.mjs', [broker.url, String(COUNT), String(qos), join(dir, 'bench.db'), sync], AGENT_NODE_FLAGS);
    await consumer.next((m) => m.ready, 30_000);
    const publisher = child('./publisher.mjs', [broker.url, String(COUNT), String(qos)]);
    const done = await consumer.next((m) => m.received !== undefined, 300_000);
    await publisher.next((m) => m.published !== undefined, 60_000);
    await new Promise((resolve) => (consumer.proc.exitCode === null ? consumer.proc.once('exit', resolve) : resolve()));
    const latency = summarize(done.latencies);
    return {
      contender,
      qos,
      sync,
      messagesPerS: done.received / (done.ms / 1000),
      readingsPerS: (done.readings ?? done.received * 4) / (done.ms / 1000),
      rssMb: done.maxRssKb / 1024,
      p50: latency.p50,
      p99: latency.p99,
    };
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_ONLY) {
  const [contender, qos] = process.env.BENCH_ONLY.split(':');
  console.log(await trial(contender, Number(qos)));
  process.exit(0);
}

const results = [];
for (const qos of [1, 0]) {
  const bare = await trial('bare', qos);
  const agent = await trial('faultline', qos);
  results.push(bare, { ...agent, ratio: agent.messagesPerS / bare.messagesPerS });
  console.error(`qos ${qos}: bare ${fmt(bare.messagesPerS, 0)} msg/s, faultline ${fmt(agent.messagesPerS, 0)} msg/s`);
}
const normal = await trial('faultline', 1, 'normal');
results.push({ ...normal, contender: 'faultline (sync: normal)', ratio: normal.messagesPerS / results[0].messagesPerS });

console.log(`\nIngest: ${COUNT} messages of 4 readings each, Mosquitto on loopback, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  table(
    ['QoS', 'consumer', 'msg/s', 'readings/s', 'ratio to bare', 'peak RSS MB', 'p50 ms', 'p99 ms'],
    results.map((r) => [
      r.qos,
      r.contender,
      fmt(r.messagesPerS, 0),
      r.contender === 'bare' ? '-' : fmt(r.readingsPerS, 0),
      r.ratio === undefined ? '1.00' : fmt(r.ratio, 2),
      fmt(r.rssMb, 0),
      fmt(r.p50, 0),
      fmt(r.p99, 0),
    ]),
  ),
);
console.log('\nLatency: bare = publish to receive; faultline = publish to commit (durable in SQLite).');
