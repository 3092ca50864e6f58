// One ingest trial, shared by run.mjs and page.mjs: a fresh Mosquitto, the consumer (the bare
// subscriber or the agent) in a child process of its own, and the same publisher and message stream.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMosquitto } from '../lib/mosquitto.mjs';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../lib/node-flags.mjs';
import { summarize } from '../lib/stats.mjs';

export const COUNT = Number(process.env.BENCH_MESSAGES ?? 200_000);
const here = (file) => fileURLToPath(new URL(file, import.meta.url));

export function child(file, args, execArgv = [], env = process.env) {
  const proc = fork(here(file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv, env });
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

/**
 * `options.page`: the agent serves its status page on a loopback port, with a model serving so that
 * predictions flow; `options.onReady(port)` runs once the agent is subscribed (page.mjs opens the
 * page there) and returns a function that is called when the trial is over. `options.warm`: messages
 * stored before the rate and CPU time are measured (the agent only).
 */
export async function trial(contender, qos, { sync = 'full', page = false, onReady = null, warm = 0 } = {}) {
  const broker = await startMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-ingest-'));
  try {
    // Both consumers run with the unit's Node.js flags and environment, so that their RSS compares fairly.
    const consumer =
      contender === 'bare'
        ? child('./bare-subscriber.mjs', [broker.url, String(COUNT), String(qos)], AGENT_NODE_FLAGS, AGENT_ENV)
        : child('./agent.mjs', [broker.url, String(COUNT), String(qos), join(dir, 'bench.db'), sync, page ? 'page' : '', String(warm)], AGENT_NODE_FLAGS, AGENT_ENV);
    const ready = await consumer.next((m) => m.ready, 30_000);
    const finish = onReady ? await onReady(ready.httpPort) : null;
    const publisher = child('./publisher.mjs', [broker.url, String(COUNT), String(qos)]);
    const done = await consumer.next((m) => m.received !== undefined, 300_000);
    const extra = finish ? await finish() : {};
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
      cpuUsPerMessage: done.cpuUs / done.received,
      p50: latency.p50,
      p99: latency.p99,
      predictions: done.predictions,
      ...extra,
    };
  } finally {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
