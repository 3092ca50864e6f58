// A QoS 1 publish in flight when the broker goes away is sent again after the reconnect and its
// promise settles. mqtt.js's reconnect() starts with empty stores unless handed the old ones: its
// unacknowledged publishes were then never resent, and their promises (and what they hold) never
// settled, a leak at every broker restart.
import { expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { Connection } from '../../../src/mqtt/connection.js';
import { describeWithMosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil, withDeadline } from '../../helpers/wait.js';

describeWithMosquitto('publishes in flight across a broker restart', () => {
  it('are sent again on the next connection, and every promise settles', async () => {
    const broker = await startMosquitto({ verboseLogs: false });
    const { config } = parseConfig(`agent: {id: inflight}\nmqtt: {url: "${broker.url}", reconnect_min: 100ms, reconnect_max: 500ms}\n`, 'x.yaml', {});
    const connection = new Connection({
      mqtt: config.mqtt,
      agentId: config.agent.id,
      log: createLogger('fatal'),
      subscriptions: [],
      onMessage: () => Promise.resolve(),
      backpressure: () => null,
      beforeDisconnect: async () => undefined,
    });
    connection.start();
    onCleanup(() => connection.stop());
    await waitUntil(() => connection.connected, 10_000, 'the connection');
    // The broker takes the publishes off the socket only once it runs again: none is acknowledged.
    const pid = broker.pid!;
    process.kill(pid, 'SIGSTOP');
    const count = 50;
    const publishes = Array.from({ length: count }, (_, i) => connection.publish('out/x', String(i), { qos: 1 }));
    await broker.kill(); // SIGKILL: nothing it might have read is saved
    await waitUntil(() => !connection.connected, 10_000, 'the connection notices');
    await broker.restart();

    // Each resolves only on its PUBACK from the restarted broker, which has nothing it read before.
    const settled = await withDeadline(Promise.allSettled(publishes), 15_000, 'every publish in flight settles after the reconnect');
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(count);
  });
});
