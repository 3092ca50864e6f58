// Stopping a connection closes its socket even when the broker never acknowledges what is in
// flight: a half-ended client left open would hold the session (and could take it over from the
// connection that replaces it on a reload).
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { Connection } from '../../../src/mqtt/connection.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

it('closes the socket within its grace when the broker never acknowledges the offline status', async () => {
  const broker = await Aedes.createBroker();
  // Holds every publish from the agent unanswered: no PUBACK ever comes back.
  broker.authorizePublish = (client, packet, callback) => {
    if (client?.id !== 'faultline-stop-test') callback(null);
  };
  const connected = new Set<string>();
  broker.on('client', (client) => connected.add(client.id));
  broker.on('clientDisconnect', (client) => connected.delete(client.id));
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(async () => {
    server.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  });
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { config } = parseConfig(`agent: {id: stop-test}\nmqtt: {url: "${url}", protocol_version: 4}\n`, 'stop.yaml', {});
  const connection = new Connection({
    mqtt: config.mqtt,
    agentId: config.agent.id,
    log: createLogger('fatal'),
    subscriptions: [{ filter: 'in/#', qos: 1 }],
    onMessage: () => Promise.resolve(),
    backpressure: () => null,
    beforeDisconnect: async () => undefined,
  });
  connection.start();
  await waitUntil(() => connection.connected && connected.has('faultline-stop-test'), 5_000, 'the agent connects');

  const started = Date.now();
  await connection.stop();
  const stopMs = Date.now() - started;
  // The offline status and the graceful end each get 2 s; then the socket is closed.
  expect(stopMs).toBeLessThan(6_000);
  await waitUntil(() => !connected.has('faultline-stop-test'), 2_000, `the broker sees the agent go (stop took ${stopMs} ms)`);
}, 15_000);
