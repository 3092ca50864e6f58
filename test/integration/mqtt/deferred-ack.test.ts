// The agent acknowledges a QoS 1 message only once it says the message is durable, keeps reading
// further messages meanwhile, and sends the PUBACKs in arrival order. Observed at a real broker:
// aedes reports every PUBACK it receives as an 'ack' event.
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { Connection, type Inbound } from '../../../src/mqtt/connection.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

async function aedesWithAcks() {
  const broker = await Aedes.createBroker();
  const acks: Array<{ clientId: string; payload: string }> = [];
  broker.on('ack', (packet, client) => {
    // aedes' types say a client is always given; its own acks (retained, will) come without one.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
    acks.push({ clientId: client?.id ?? '?', payload: String((packet as { payload?: unknown } | undefined)?.payload) });
  });
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    server.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  });
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, acks };
}

describe('QoS 1 acknowledgement after durability', () => {
  it('holds each PUBACK until the message is durable, without blocking the next message', async () => {
    const { url, acks } = await aedesWithAcks();
    const { config } = parseConfig(`agent: {id: ack-test}\nmqtt: {url: "${url}", protocol_version: 4}\n`, 'ack.yaml', {});
    const received: Inbound[] = [];
    const durable: Array<() => void> = [];
    const connection = new Connection({
      mqtt: config.mqtt,
      agentId: config.agent.id,
      log: createLogger('fatal'),
      subscriptions: [{ filter: 'in/#', qos: 1 }],
      onMessage: (message) => {
        if (message.topic !== 'in/x') return Promise.resolve();
        received.push(message);
        return new Promise<void>((resolve) => durable.push(resolve));
      },
      backpressure: () => null,
      beforeDisconnect: async () => undefined,
    });
    connection.start();
    onCleanup(() => connection.stop());
    await waitUntil(() => connection.connected, 5_000, 'the agent connects');

    const publisher = await connectAsync(url, { protocolVersion: 4 });
    onCleanup(() => publisher.endAsync(true));
    let probed = false;
    await waitUntil(async () => {
      await publisher.publishAsync('in/probe', 'probe', { qos: 1 });
      probed ||= acks.some((a) => a.payload === 'probe' && a.clientId === 'faultline-ack-test');
      return probed;
    }, 5_000, 'the subscription is in place');
    acks.length = 0;

    for (const payload of ['a', 'b', 'c']) await publisher.publishAsync('in/x', payload, { qos: 1 });
    await waitUntil(() => received.length === 3, 5_000, `all three messages are read while none is durable (read ${received.map((m) => m.payload.toString()).join(', ')})`);
    const agentAcks = () => acks.filter((a) => a.clientId === 'faultline-ack-test' && a.payload !== 'probe').map((a) => a.payload);
    expect(agentAcks()).toEqual([]);

    durable[0]!();
    await waitUntil(() => agentAcks().length === 1, 5_000, `the first PUBACK (acks ${JSON.stringify(acks)})`);
    expect(agentAcks()).toEqual(['a']);
    durable[1]!();
    durable[2]!();
    await waitUntil(() => agentAcks().length === 3, 5_000, 'the other PUBACKs');
    expect(agentAcks()).toEqual(['a', 'b', 'c']);
  });
});
