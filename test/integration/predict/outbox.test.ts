// Predictions made while the broker is down, or faster than it takes them, wait in the SQLite outbox
// and reach subscribers in order; the bound drops the oldest and counts them.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { Connection } from '../../../src/mqtt/connection.js';
import type { AssetPrediction } from '../../../src/predict/predictor.js';
import { MAX_INFLIGHT, PredictionPublisher } from '../../../src/predict/prediction-publisher.js';
import { openDatabase } from '../../../src/store/db.js';
import { Outbox } from '../../../src/store/outbox.js';
import { readCounter } from '../../../src/store/status.js';
import { connectClient } from '../../helpers/brokers.js';
import { describeWithMosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

const prediction = (i: number): AssetPrediction => ({
  asset: 'press3',
  line: 'line1',
  prediction: { ts: 1_764_320_000_000 + i * 1000, timeToFaultS: 7200 - i, risk: i / 7200, historyS: 600, contributions: [] },
  level: 0,
  modelVersion: '1',
  horizonS: 7200,
});

async function setup(outboxMax: number) {
  const broker = await startMosquitto({ verboseLogs: false, maxQueuedMessages: 100_000, maxInflightMessages: 0, persistence: true });
  const dir = await tempDir('outbox');
  const yaml = `agent: {id: outbox}\nmqtt: {url: "${broker.url}", reconnect_min: 100ms, reconnect_max: 500ms}\npredictions: {outbox_max: ${outboxMax}, outbox_rate: 1000, scalars: false}\n`;
  const { config } = parseConfig(yaml, 'outbox.yaml', {});
  const db = openDatabase(join(dir, 'faultline.db'), { sync: 'normal' });
  const log = createLogger('fatal');
  const connection = new Connection({ mqtt: config.mqtt, agentId: config.agent.id, log, subscriptions: [], onMessage: async () => undefined, backpressure: () => null, beforeDisconnect: async () => undefined });
  const outbox = new Outbox(db, outboxMax);
  const publisher = new PredictionPublisher({ predictions: config.predictions, outbox, log });
  publisher.attach(connection);
  connection.start();
  publisher.start();
  onCleanup(async () => {
    publisher.stop();
    await connection.stop();
    db.close();
  });
  await waitUntil(() => connection.connected, 10_000, 'the publisher connects');
  // A persistent subscriber: the broker keeps what arrives while it reconnects after the restart.
  const subscriber = await connectClient({ kind: 'mosquitto', url: broker.url, protocolVersion: 5, stop: () => broker.stop() }, { clientId: 'outbox-watcher', clean: false });
  const received: number[] = [];
  subscriber.on('message', (_, payload) => received.push(JSON.parse(payload.toString()).ts));
  await subscriber.subscribeAsync('plant/line1/press3/prediction', { qos: 1 });
  return { broker, db, connection, outbox, publisher, received };
}

describeWithMosquitto('prediction outbox', () => {
  it('holds predictions while the broker is down and delivers them in order when it returns', async () => {
    const { broker, connection, outbox, publisher, received } = await setup(1000);
    publisher.publish(prediction(0));
    await waitUntil(() => received.length === 1, 10_000, 'a live prediction');

    await broker.stop();
    await waitUntil(() => !connection.connected, 10_000, 'the publisher notices the broker is gone');
    for (let i = 1; i <= 50; i++) publisher.publish(prediction(i));
    await waitUntil(() => outbox.count() === 50, 5_000, 'the held predictions are written to the outbox');
    expect(received).toHaveLength(1);

    await broker.restart();
    await waitUntil(() => received.length === 51, 20_000, `the 50 held predictions arrive (have ${received.length - 1})`);
    expect(received).toEqual(Array.from({ length: 51 }, (_, i) => prediction(i).prediction.ts));
    await waitUntil(() => outbox.count() === 0, 5_000, 'the outbox empties');
    expect(publisher.counters).toMatchObject({ queued: 50, dropped: 0, expired: 0 });

    // Once drained, new predictions go straight out again.
    publisher.publish(prediction(51));
    await waitUntil(() => received.length === 52, 10_000, 'a live prediction after the outage');
  });

  it('keeps only the newest outbox_max messages and counts what it dropped', async () => {
    const { broker, db, connection, outbox, publisher, received } = await setup(20);
    await broker.stop();
    await waitUntil(() => !connection.connected, 10_000, 'the publisher notices the broker is gone');
    for (let i = 0; i < 50; i++) publisher.publish(prediction(i));
    await waitUntil(() => publisher.counters.dropped > 0, 5_000, 'the held predictions are written to the outbox');
    expect(outbox.count()).toBe(20);
    expect(readCounter(db, 'outbox_dropped')).toBe(30);
    expect(publisher.counters.dropped).toBe(30);
    await broker.restart();
    await waitUntil(() => received.length === 20, 20_000, 'the 20 newest held predictions arrive');
    expect(received).toEqual(Array.from({ length: 20 }, (_, i) => prediction(30 + i).prediction.ts));
  });

  it('hands the MQTT client at most MAX_INFLIGHT messages while the broker is slow; the rest waits in the outbox, in order', async () => {
    const { broker, outbox, publisher, received } = await setup(100_000);
    const pid = broker.pid!;
    // A broker that takes nothing for a while, as one busy with a burst of redelivered telemetry.
    process.kill(pid, 'SIGSTOP');
    onCleanup(() => void (broker.running && process.kill(pid, 'SIGCONT')));
    const count = 3 * MAX_INFLIGHT;
    for (let i = 0; i < count; i++) publisher.publish(prediction(i));
    await waitUntil(() => outbox.count() > 0, 5_000, 'the held predictions are written to the outbox');
    expect(outbox.count()).toBe(count - MAX_INFLIGHT);
    process.kill(pid, 'SIGCONT');
    await waitUntil(() => received.length === count, 30_000, `every prediction arrives (have ${received.length})`);
    expect(received).toEqual(Array.from({ length: count }, (_, i) => prediction(i).prediction.ts));
    expect(publisher.counters).toMatchObject({ published: count, dropped: 0, expired: 0 });
    await waitUntil(() => outbox.count() === 0, 5_000, 'the sent messages leave the outbox');
  });
});
