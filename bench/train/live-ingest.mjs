// What bench:retrain-ingest and bench:retrain-stand-ins share: a synthetic buffer, Mosquitto, the
// agent in its own process (agent-during-retrain.mjs, the unit's Node.js flags), and a publisher
// sending RATE QoS 1 messages a second from assets the buffer does not have, each stamped with its
// publish time. finish() stops it all and returns the agent's report: every reading's commit time
// and publish-to-commit latency, its retrains, and its peak RSS.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startMosquitto } from '../lib/mosquitto.mjs';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../lib/node-flags.mjs';
import { summarize } from '../lib/stats.mjs';
import { writeSyntheticBuffer } from './synthetic.mjs';

export const RATE = 2_000;

/** Wall-clock time with sub-millisecond resolution, comparable across processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

export async function startLiveIngest({ samples, name }) {
  const dir = mkdtempSync(join(tmpdir(), `faultline-${name}-`));
  const dbPath = join(dir, 'faultline.db');
  console.error(`writing a buffer of about ${samples} samples...`);
  writeSyntheticBuffer(dbPath, { assets: 20, minutes: Math.ceil(samples / 20 / 0.984) });
  const broker = await startMosquitto();
  const agent = fork(fileURLToPath(new URL('./agent-during-retrain.mjs', import.meta.url)), [broker.url, dbPath], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: AGENT_NODE_FLAGS,
    env: AGENT_ENV,
  });
  // Listened for from the start: the agent exits right after its report, maybe before finish() awaits it.
  const exited = new Promise((resolve) => agent.once('exit', resolve));
  const message = (predicate) => new Promise((resolve) => agent.on('message', (m) => predicate(m) && resolve(m)));
  await message((m) => m.ready);

  const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
  let seq = 0;
  const start = Date.now();
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - start) / 1000) * RATE) - seq;
    for (let i = 0; i < due; i++, seq++) {
      publisher.publish(`plant/line1/live${seq % 50}/telemetry`, JSON.stringify({ ts: start + seq, temperature: 70, sent: wallNow() }), { qos: 1 });
    }
  }, 5);

  return {
    dbPath,
    /** Sends the agent a command ('retrain') and resolves with its first reply that matches. */
    ask: (command, reply) => {
      const replied = message(reply);
      agent.send(command);
      return replied;
    },
    async finish() {
      clearInterval(timer);
      const report = await this.ask('report', (m) => m.commits);
      await publisher.endAsync();
      await exited;
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
      return report;
    },
  };
}

/** Latency statistics of the readings committed in [from, to). */
export function latenciesBetween(report, from, to) {
  return summarize(report.commits.filter(([t]) => t >= from && t < to).map(([, latency]) => latency));
}
