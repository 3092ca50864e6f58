// Issue 7, "Faults survived": a device clock that jumps, a retrain that throws, and a SIGHUP storm,
// each while a publisher streams into the real agent; nothing acknowledged is lost. The broker killed
// and restarted mid-stream, and the agent SIGKILLed several times, are in
// test/integration/ingest/outages.test.ts; the disk filling up is bench/hardening/disk-full.mjs.
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import { openBuffer } from '../../helpers/brokers.js';
import { writeAtomically, writeConfig, type ConfigTree } from '../../helpers/config.js';
import { HOUR, MINUTE, degradingLine } from '../../helpers/degradation.js';
import { seedChampion } from '../../helpers/model.js';
import { describeWithMosquitto, startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { AGENT_ID, alive, client, hardeningConfig, httpPort, launch, subscribed } from './harness.js';

/** A broker that queues enough for an agent that reconnects often (the default 1000 would drop). */
function queueingBroker(): Promise<MosquittoHandle> {
  return startMosquitto({ verboseLogs: false, maxQueuedMessages: 200_000, maxInflightMessages: 0 });
}

/** Collects the JSON predictions of one asset, in arrival order. */
function predictionsOf(c: MqttClient, asset: string): Array<{ ts: number; model: string }> {
  const seen: Array<{ ts: number; model: string }> = [];
  c.on('message', (topic, payload) => {
    if (topic === `plant/line1/${asset}/prediction`) seen.push(JSON.parse(payload.toString()) as { ts: number; model: string });
  });
  return seen;
}

function expectStrictlyIncreasing(values: number[]): void {
  values.slice(1).forEach((v, i) => expect(v, `prediction ${i + 1} of ${values.join(', ')}`).toBeGreaterThan(values[i]!));
}

describeWithMosquitto('hardening: faults survived', () => {
  it("stores a jumping device clock's readings at their own times and never publishes a prediction older than one already out", async () => {
    const broker = await queueingBroker();
    const dir = await tempDir('clock-jump');
    const version = seedChampion(join(dir, 'faultline.db'));
    const { agent, dbPath } = launch(dir, hardeningConfig(broker.url, { predictions: { min_interval: '1s' } }));
    await subscribed(agent);
    const c = await client(broker);
    const predictions = predictionsOf(c, 'press1');
    await c.subscribeAsync('plant/line1/press1/prediction', { qos: 1 });

    // The device's clock: 21 minutes of steady readings, then it jumps back one hour for 15
    // readings, then forward to the gateway's time and a little beyond (within ingest.max_future),
    // then once too far ahead, and once older than storage.retention.
    const now = Date.now();
    const steady = Array.from({ length: 21 }, (_, i) => now - 3 * HOUR + i * MINUTE);
    const back = Array.from({ length: 15 }, (_, i) => steady.at(-1)! - HOUR + i * MINUTE);
    const forward = Array.from({ length: 16 }, (_, i) => now - 12 * MINUTE + i * MINUTE); // up to now + 3 min
    const stored = [...steady, ...back, ...forward];
    const tooFar = [now + HOUR, now + 2 * HOUR, now + 1e9];
    const tooOld = [now - 31 * 24 * HOUR];
    let n = 0;
    const send = (ts: number) => c.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts, temperature: 60 + n++ / 10 }), { qos: 1 });
    // Each stretch is stored before the next is sent: within one commit batch the agent orders
    // readings by event time, and the point here is the order the clock jumps in.
    const buffer = openBuffer(dbPath);
    const stretches = [steady, back, [...tooFar, ...tooOld], forward];
    let expected = 0;
    for (const stretch of stretches) {
      for (const ts of stretch) await send(ts);
      expected += stretch.length;
      await waitUntil(() => buffer.counter('readings') + buffer.counter('rejected') === expected, 10_000, `${expected} messages are stored or rejected`);
    }
    await waitUntil(() => buffer.counter('readings') === stored.length && buffer.counter('rejected') === 4, 10_000, 'every reading is stored or rejected');
    const rows = buffer.all<{ ts: number }>('SELECT ts FROM readings ORDER BY ts').map((r) => r.ts);
    expect(rows).toEqual([...stored].sort((a, b) => a - b));
    const reasons = buffer.all<{ reason: string; n: number }>('SELECT reason, count(*) AS n FROM dead_letters GROUP BY reason ORDER BY reason');
    expect(reasons).toEqual([
      { reason: 'future_timestamp', n: 3 },
      { reason: 'too_old', n: 1 },
    ]);

    // Predictions: from the steady stretch, none for the stretch an hour back, and again once the
    // clock is forward and the window has filled; each newer than the one before.
    await waitUntil(() => predictions.at(-1)?.ts === forward.at(-1), 10_000, 'the prediction for the last reading');
    const times = predictions.map((p) => p.ts);
    expectStrictlyIncreasing(times);
    expect(times.filter((t) => back.includes(t))).toEqual([]);
    expect(times.filter((t) => steady.includes(t))).toEqual(steady.slice(10));
    expect(times.filter((t) => forward.includes(t)).length).toBeGreaterThan(0);
    expect(new Set(predictions.map((p) => p.model))).toEqual(new Set([version]));
    expect(agent.logs.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    expect((await agent.stop()).code).toBe(0);
  });

  it('keeps the champion and keeps ingesting when a retrain throws', async () => {
    const broker = await queueingBroker();
    const dir = await tempDir('train-throws');
    const version = seedChampion(join(dir, 'faultline.db'));
    const { agent, dbPath } = launch(
      dir,
      hardeningConfig(broker.url, {
        model: { horizon: '1h', window: '10m', stride: '2m', features: ['mean', 'std', 'slope'], min_samples: 50 },
        schedule: { retrain: '0 0 1 1 *' },
      }),
    );
    await subscribed(agent);
    const c = await client(broker);
    const live = predictionsOf(c, 'press9');
    await c.subscribeAsync('plant/line1/press9/prediction', { qos: 1 });

    // Enough labelled history to train on, but every sensor constant: the job throws
    // NoUsableFeatureError in the worker (every feature is dropped).
    const history = degradingLine({ assets: ['press1', 'press2'], start: Date.now() - 12 * HOUR, faultsPerAsset: 3, lifeMs: 3 * HOUR, stepMs: 2 * MINUTE, seed: 5 });
    for (const m of history) {
      const payload = m.kind === 'telemetry' ? JSON.stringify({ ts: m.ts, temperature: 70, vibration: 0.02 }) : m.payload;
      await c.publishAsync(m.topic, payload, { qos: 1 });
    }
    const buffer = openBuffer(dbPath);
    const historyReadings = history.filter((m) => m.kind === 'telemetry').length * 2;
    await waitUntil(() => buffer.counter('readings') === historyReadings, 10_000, 'the history is stored');

    // Retrain, and stream a live asset at the same time.
    await c.publishAsync(`faultline/${AGENT_ID}/cmd/retrain`, '', { qos: 1 });
    const start = Date.now() - 2 * HOUR;
    const streaming = (async () => {
      for (let i = 0; i < 400; i++) await c.publishAsync('plant/line1/press9/telemetry', JSON.stringify({ ts: start + i * 15_000, temperature: 70 }), { qos: 1 });
    })();
    const failed = await agent.waitForLog((l) => l.msg === 'retrain failed; the champion stays', 30_000, "'retrain failed; the champion stays'");
    expect(String((failed['err'] as { message?: unknown }).message)).toMatch(/NoUsableFeatureError: no usable feature/);
    await streaming;
    await waitUntil(() => buffer.counter('readings') === historyReadings + 400, 10_000, 'every live reading is stored');
    await waitUntil(() => live.at(-1)?.ts === start + 399 * 15_000, 10_000, 'the prediction for the last live reading');

    expect(buffer.all('SELECT version, status FROM models')).toEqual([{ version: Number(version), status: 'champion' }]);
    expect(new Set(live.map((p) => p.model))).toEqual(new Set([version]));
    expect(alive(agent)).toBe(true);
    expect((await agent.stop()).code).toBe(0);
  });

  it('survives a SIGHUP storm with config changes while a QoS 1 stream flows: nothing lost, the last config applied', async () => {
    const broker = await queueingBroker();
    const dir = await tempDir('sighup-storm');
    const config = (i: number, final = false): ConfigTree =>
      hardeningConfig(broker.url, {
        // Each change restarts a different span of the agent's phases (see src/phases.ts).
        log: { level: final || i % 8 < 4 ? 'info' : 'warn' }, // info at the end: 'http listening' is logged
        predictions: { min_interval: `${1 + (i % 3)}s` },
        ingest: { batch_size: 500 + (i % 7), max_fields: final ? 2 : 100 },
        mqtt: { keepalive: `${5 + (i % 2)}s` },
        http: { listen: final ? '127.0.0.1:0' : 'off' },
      });
    const { agent, dbPath, configPath } = launch(dir, config(0));
    await subscribed(agent);

    const c = await client(broker);
    const base = Date.now() - HOUR;
    let sent = 0;
    let storming = true;
    const worker = async (): Promise<void> => {
      while (storming) {
        const seq = sent++;
        await c.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts: base + seq, seq }), { qos: 1 });
      }
    };
    const publishing = Promise.all(Array.from({ length: 50 }, worker));

    const signals = 300;
    const rejected = (): number => agent.logs.filter((l) => l.msg === 'config reload rejected; the running config stays').length;
    for (let i = 1; i <= signals; i++) {
      if (i % 37 === 0) {
        // Every 37th file is broken YAML: that reload is refused and the running config stays.
        const before = rejected();
        writeAtomically(configPath, 'mqtt: [unclosed\n');
        agent.child.kill('SIGHUP');
        await waitUntil(() => rejected() > before, 10_000, 'the broken file is refused');
        continue;
      }
      writeConfig(dir, config(i, i === signals));
      agent.child.kill('SIGHUP');
      await pace(15); // a storm, paced so that reloads also run between signals
    }
    storming = false;
    await publishing;

    // The last file is applied once its HTTP endpoint (only it has one) answers /healthz.
    const finalPort = await httpPort(agent);
    await waitUntil(
      async () => {
        if (!alive(agent)) throw new Error(`the agent exited: ${agent.stderr().slice(-500)}`);
        const response = await fetch(`http://127.0.0.1:${finalPort}/healthz`);
        if (response.status !== 200) throw new Error(`/healthz ${response.status}: ${await response.text()}`);
        return true;
      },
      30_000,
      'the last config is applied',
    );
    const buffer = openBuffer(dbPath);
    await waitUntil(() => buffer.counter('readings') === sent, 30_000, `all ${sent} readings are stored (have ${buffer.counter('readings')})`);
    const seqs = buffer.all<{ value: number }>('SELECT value FROM readings ORDER BY value').map((r) => r.value);
    expect(seqs).toEqual(Array.from({ length: sent }, (_, i) => i));

    // Its max_fields: 2 is in force: a message of three sensors is rejected.
    await c.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ a: 1, b: 2, c: 3 }), { qos: 1 });
    await waitUntil(() => buffer.count("SELECT count(*) AS n FROM dead_letters WHERE reason = 'too_many_fields'") === 1, 10_000, 'too_many_fields under the last config');

    const reloads = agent.logs.filter((l) => l.msg === 'config reloaded' || l.msg === 'config reloaded; no part needed a restart').length;
    const refused = rejected();
    process.stderr.write(`[sighup storm] ${signals} SIGHUPs, ${reloads} reloads applied, ${refused} broken files refused, ${sent} messages stored once each\n`);
    expect(reloads).toBeGreaterThan(20);
    expect(refused).toBeGreaterThanOrEqual(Math.floor(signals / 37));
    expect(alive(agent)).toBe(true);
    expect((await agent.stop()).code).toBe(0);
  }, 120_000);
});

/** Paces a load generator (not a wait for an outcome). */
function pace(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
