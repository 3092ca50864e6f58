// npm run bench:latency — from a telemetry publish to the prediction a separate subscriber receives,
// through Mosquitto, at 1k and 10k readings/s. The agent runs as `faultline run` in its own process
// with a champion seeded into its buffer (the default features: ewma over a 2-s window, age,
// squares; calibrated), so every reading is due a prediction; next to it, the one-feature model of
// earlier releases. Each runs on Mosquitto's defaults (Nagle's algorithm on, which the agent's quick
// ACKs answer: bench/README.md) and with `set_tcp_nodelay true`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { benchModel, seedBenchModel, windowMeanModel } from '../lib/model.mjs';
import { startMosquitto } from '../lib/mosquitto.mjs';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../lib/node-flags.mjs';
import { fmt, summarize, table } from '../lib/stats.mjs';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_S = 3;
const ASSETS = 100;
const RATES = [
  { readingsPerS: 1_000, hz: 10, sensors: 1 },
  { readingsPerS: 10_000, hz: 20, sensors: 5 },
];
const BROKERS = [
  { broker: 'defaults', conf: '' },
  { broker: 'set_tcp_nodelay true', conf: 'set_tcp_nodelay true' },
];
// Side by side: the default features against the one window mean of earlier releases, so that what
// the features cost shows apart from the broker's share.
const MODELS = [
  { model: 'default features', make: benchModel },
  { model: 'one window mean (before issue 14)', make: windowMeanModel },
];
// The two models alternate which goes first, so that neither always takes the first, colder trial.
const TRIALS = BROKERS.flatMap((b) => RATES.map((r) => [b, r])).flatMap(([b, r], i) =>
  (i % 2 === 0 ? MODELS : [...MODELS].reverse()).map((m) => ({ ...b, ...r, ...m })),
);

async function trial({ broker: brokerName, conf, readingsPerS, hz, sensors, model, make }) {
  const broker = await startMosquitto(conf);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-latency-'));
  const dbPath = join(dir, 'faultline.db');
  seedBenchModel(dbPath, Array.from({ length: sensors }, (_, s) => `s${s}`), make);
  writeFileSync(
    join(dir, 'faultline.yaml'),
    `agent: {id: latency}\nmqtt: {url: "${broker.url}"}\nstorage: {path: "${dbPath}"}\nhttp: {listen: "off"}\nlog: {level: warn}\n` +
      `predictions: {min_interval: 1ms, scalars: true}\nschedule: {retrain: "0 0 1 1 *"}\n`,
  );
  const agent = spawn(process.execPath, [...AGENT_NODE_FLAGS, MAIN, 'run', '--config', join(dir, 'faultline.yaml')], { stdio: ['ignore', 'pipe', 'inherit'], env: AGENT_ENV });
  let agentLog = '';
  agent.stdout.on('data', (d) => (agentLog += d));

  const sent = new Map(); // "asset/ts" -> publish time
  const latencies = [];
  const subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  subscriber.on('message', (topic, payload) => {
    const now = performance.now();
    const body = JSON.parse(payload.toString());
    const key = `${body.asset}/${body.ts}`;
    const at = sent.get(key);
    if (at !== undefined && body.ts >= measureFrom) latencies.push(now - at);
  });
  await subscriber.subscribeAsync('plant/+/+/prediction', { qos: 1 });
  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  // Give the agent time to subscribe (a fresh session would miss earlier messages).
  await new Promise((resolve) => setTimeout(resolve, 1500));

  // Each asset reports `hz` times a second at its own phase, as real sensors do (not all at once):
  // every 5 ms, publish the readings that fell due since the last tick.
  const periodMs = 1000 / hz;
  const start = Date.now();
  const measureFrom = start + WARMUP_S * 1000;
  const next = Array.from({ length: ASSETS }, (_, a) => start + Math.round((a / ASSETS) * periodMs));
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = Date.now();
      for (let a = 0; a < ASSETS; a++) {
        while (next[a] <= now) {
          const ts = next[a];
          next[a] += periodMs;
          const values = {};
          for (let s = 0; s < sensors; s++) values[`s${s}`] = 70 + (s === 0 ? Math.sin(ts / 10_000) * 5 : s);
          sent.set(`asset${a}/${Math.round(ts)}`, performance.now());
          publisher.publish(`plant/line1/asset${a}/telemetry`, JSON.stringify({ ts: Math.round(ts), ...values }), { qos: 1 });
        }
      }
      if (now - start >= (WARMUP_S + SECONDS) * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the last predictions in flight
  const stats = summarize(latencies);
  // The publishing timer may run a tick past the end, so a few more than this can be measured.
  const expected = SECONDS * hz * ASSETS;
  await publisher.endAsync();
  await subscriber.endAsync();
  agent.kill('SIGTERM');
  await new Promise((resolve) => agent.once('exit', resolve));
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
  if (/"level":"(error|fatal)"/.test(agentLog)) console.error(agentLog);
  return { brokerName, model, readingsPerS, messagesPerS: hz * ASSETS, predictions: stats.n, expected, ...stats };
}

const results = [];
for (const t of TRIALS) results.push(await trial(t));
console.log(`\nLatency: telemetry publish → prediction received, ${ASSETS} assets, ${SECONDS} s measured after ${WARMUP_S} s warm-up, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  table(
    ['Mosquitto', 'model', 'readings/s', 'messages/s', `predictions measured (due in ${SECONDS} s)`, 'p50 ms', 'p99 ms', 'max ms'],
    results.map((r) => [r.brokerName, r.model, r.readingsPerS, r.messagesPerS, `${r.predictions} (${r.expected})`, fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.max, 1)]),
  ),
);
