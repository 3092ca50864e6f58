// Nothing acknowledged is lost when the agent is killed or the broker restarts mid-stream, and the
// retained status topic tells SCADA whether the agent is there.
import type { MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import { connectClient, describeEachBroker, openBuffer, type TestBroker } from '../../helpers/brokers.js';
import { startAgent } from '../../helpers/cli.js';
import { describeWithMosquitto } from '../../helpers/mosquitto.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitForEvent, waitUntil } from '../../helpers/wait.js';
import { AGENT_ID, startIngestAgent, waitConnected } from './agent.js';
import { startRealMosquitto } from '../../helpers/brokers.js';

/**
 * Publishes `count` QoS 1 messages of one reading each, 50 unacknowledged at most, at `perSecond`
 * (a steady stream, so the outages below happen mid-stream on a fast machine too).
 */
async function publishStream(client: MqttClient, count: number, base: number, perSecond = 1_500): Promise<void> {
  const started = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const due = started + (i * 1000) / perSecond;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      await client.publishAsync('plant/l1/press1/telemetry', JSON.stringify({ ts: base + i, seq: i }), { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
}

function storedSeqs(dbPath: string): number[] {
  return openBuffer(dbPath).all<{ value: number }>('SELECT value FROM readings ORDER BY value').map((r) => r.value);
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describeEachBroker('outages', (startBroker) => {
  it('loses nothing when the agent is SIGKILLed mid-stream, three times', async () => {
    const broker = await startBroker();
    const dir = await tempDir('kill');
    const first = await startIngestAgent(dir, broker);
    const publisher = await connectClient(broker);
    const total = 6_000;
    const buffer = openBuffer(first.dbPath);
    const publishing = publishStream(publisher, total, Date.now() - 600_000);

    let agent = first.agent;
    for (let round = 1; round <= 3; round++) {
      const before = buffer.counter('readings');
      await waitUntil(() => buffer.counter('readings') > before + 300, 20_000, `round ${round}: readings arrive`);
      agent.child.kill('SIGKILL');
      await agent.exited;
      agent = startAgent(first.configPath);
      await waitConnected(agent, 0);
    }
    await publishing;
    await waitUntil(() => buffer.counter('readings') === total, 30_000, `all ${total} readings are stored (have ${buffer.counter('readings')})`);
    expect(storedSeqs(first.dbPath)).toEqual(range(total));
    expect((await agent.stop()).code).toBe(0);
  });

  it('publishes a retained online status, and offline as its Last Will when killed', async () => {
    const broker = await startBroker();
    const dir = await tempDir('status');
    const watcher = await connectClient(broker);
    const statuses: string[] = [];
    watcher.on('message', (topic, payload) => topic === `faultline/${AGENT_ID}/status` && statuses.push(payload.toString()));
    await watcher.subscribeAsync(`faultline/${AGENT_ID}/status`, { qos: 1 });

    const { agent, configPath } = await startIngestAgent(dir, broker);
    await waitUntil(() => statuses.at(-1) === 'online', 10_000, 'status online');
    agent.child.kill('SIGKILL');
    await waitUntil(() => statuses.at(-1) === 'offline', 10_000, 'status offline (Last Will)');
    const again = startAgent(configPath);
    await waitUntil(() => statuses.at(-1) === 'online', 10_000, 'status online again');
    await again.stop();
    await waitUntil(() => statuses.at(-1) === 'offline', 10_000, 'status offline after a clean stop');

    // Retained: a client that subscribes later learns the state at once.
    const late = await connectClient(broker);
    const retained = waitForEvent<[string, Buffer, { retain: boolean }]>(late, 'message', 5_000);
    await late.subscribeAsync(`faultline/${AGENT_ID}/status`, { qos: 1 });
    const [, payload, packet] = await retained;
    expect(payload.toString()).toBe('offline');
    expect(packet.retain).toBe(true);
  });
});

describeWithMosquitto('outages (mosquitto with persistence)', () => {
  it('loses nothing when the broker restarts mid-stream at QoS 1', async () => {
    const broker: TestBroker = await startRealMosquitto({ persistence: true });
    const dir = await tempDir('broker-restart');
    const { agent, dbPath } = await startIngestAgent(dir, broker);
    const publisher = await connectClient(broker, { clientId: 'restart-publisher', clean: false });
    const buffer = openBuffer(dbPath);
    const total = 6_000;
    const publishing = publishStream(publisher, total, Date.now() - 600_000);
    await waitUntil(() => buffer.counter('readings') > 1_000, 20_000, 'readings arrive');
    await broker.restart!();
    await waitConnected(agent, 1);
    await publishing;
    await waitUntil(() => buffer.counter('readings') === total, 30_000, `all ${total} readings are stored (have ${buffer.counter('readings')})`);
    expect(storedSeqs(dbPath)).toEqual(range(total));
    expect((await agent.stop()).code).toBe(0);
  });
});
