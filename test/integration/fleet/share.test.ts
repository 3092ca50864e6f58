// Sharing (issue 15): the fleet phase publishes what a retrain shared, retained and QoS 1 on the
// agent's statistics topic, also when the retrain had too little to train alone, and again after a
// broker restart that lost it. A retrain that shared nothing, or failed, publishes nothing.
import { EventEmitter } from 'node:events';
import type { IPublishPacket } from 'mqtt';
import { expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { decodeFleetStats, encodeFleetStats } from '../../../src/fleet/codec.js';
import type { FleetStats } from '../../../src/fleet/types.js';
import { Metrics } from '../../../src/http/metrics.js';
import { createLogger } from '../../../src/log.js';
import { Connection } from '../../../src/mqtt/connection.js';
import type { AgentEvents } from '../../../src/phases/base.js';
import { fleetPhase } from '../../../src/phases/fleet.js';
import type { TrainResult } from '../../../src/train/trainer.js';
import { FLEET, fleetStats } from '../../helpers/fleet-stats.js';
import { describeWithMosquitto, startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { client } from '../hardening/harness.js';

const TOPIC = `faultline/fleet/${FLEET}/line1-gw/stats`;
const MARKER = 'test/marker';

function shared(stats: FleetStats): NonNullable<Extract<TrainResult, { status: 'trained' }>['fleet']> {
  return { kind: 'encoded', fleet: stats.fleet, agent: stats.agent, episodes: stats.episodes.length, recipe: stats.recipe?.hash ?? null, payload: encodeFleetStats(stats) };
}

const trained = (fleet: Extract<TrainResult, { status: 'trained' }>['fleet']): TrainResult => ({ status: 'trained', fleet } as Extract<TrainResult, { status: 'trained' }>);

/** The retained message a new subscriber gets on the topic, or null when none is retained. */
async function retained(broker: MosquittoHandle): Promise<IPublishPacket | null> {
  const c = await client(broker);
  const got: IPublishPacket[] = [];
  c.on('message', (_topic, _payload, packet) => got.push(packet));
  await c.subscribeAsync([TOPIC, MARKER], { qos: 1 });
  // The broker sends the retained message before anything published after the subscription.
  await c.publishAsync(MARKER, 'x', { qos: 1 });
  await waitUntil(() => got.some((p) => p.topic === MARKER), 5_000, 'the marker, after any retained message');
  await c.endAsync();
  return got.find((p) => p.topic === TOPIC) ?? null;
}

describeWithMosquitto('fleet sharing', () => {
  it('publishes what each retrain shared, retained, and again once a restarted broker lost it', async () => {
    const broker = await startMosquitto({ verboseLogs: false });
    const { config } = parseConfig(`agent: {id: line1-gw}\nmqtt: {url: "${broker.url}", reconnect_min: 100ms, reconnect_max: 200ms}\nfleet: {id: ${FLEET}, share: true}\n`, 'share.yaml', {});
    const log = createLogger('fatal');
    const connection = new Connection({ mqtt: config.mqtt, agentId: config.agent.id, log, subscriptions: [], onMessage: () => Promise.resolve(), backpressure: () => null, beforeDisconnect: async () => undefined });
    const events = new EventEmitter<AgentEvents>();
    const phase = await fleetPhase.start({ config, log, events, metrics: new Metrics(), connection });
    onCleanup(async () => {
      await phase.stop();
      await connection.stop();
    });
    connection.start();
    await waitUntil(() => connection.connected, 5_000, 'the connection');

    events.emit('trained', { status: 'failed', reason: 'schedule', message: 'x', durationMs: 1 });
    events.emit('trained', trained(null));
    expect(await retained(broker)).toBeNull();

    const first = fleetStats({ agent: 'line1-gw', seed: 1 });
    events.emit('trained', trained(shared(first)));
    await waitUntil(async () => (await retained(broker)) !== null, 5_000, 'the retained statistics');
    const message = (await retained(broker))!;
    expect([message.qos, message.retain]).toEqual([1, true]);
    expect(decodeFleetStats(message.payload as Buffer, { fleet: FLEET, agent: 'line1-gw', maxBytes: 1024 ** 2, members: [] })).toEqual({ stats: first });

    // Too little to train alone still shares; a retrain of another fleet's config does not.
    const second = fleetStats({ agent: 'line1-gw', seed: 2, episodes: 1 });
    events.emit('trained', { status: 'not_enough_data', fleet: shared(second) } as TrainResult);
    events.emit('trained', trained(shared(fleetStats({ agent: 'line1-gw', fleet: 'old-fleet' }))));
    const decoded = async (): Promise<unknown> => {
      const m = await retained(broker);
      return m && decodeFleetStats(m.payload as Buffer, { fleet: FLEET, agent: 'line1-gw', maxBytes: 1024 ** 2, members: [] });
    };
    await waitUntil(async () => JSON.stringify(await decoded()) === JSON.stringify({ stats: second }), 5_000, 'the second statistics replace the first');

    // Mosquitto without persistence forgets retained messages on restart: the reconnection sends them again.
    await broker.restart();
    await waitUntil(async () => JSON.stringify(await decoded()) === JSON.stringify({ stats: second }), 10_000, 'the statistics retained again after the restart');
  });
});
