// The README's ACL lines for a fleet (issue 15), on bridged Mosquitto brokers that enforce them (the
// lines for the agents, the plant for the bridges, which log in): an agent publishes its own
// statistics and reads the fleet's, across the bridges, and the broker refuses another member's topic.
import type { MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import { encodeFleetStats } from '../../../src/fleet/codec.js';
import { fleetAcl, plantAcl } from '../../helpers/fleet-broker-config.js';
import { FLEET, fleetStats } from '../../helpers/fleet-stats.js';
import { describeWithMosquitto } from '../../helpers/mosquitto.js';
import { startFleetBrokers } from '../../helpers/mosquitto-fleet.js';
import { waitUntil } from '../../helpers/wait.js';
import { client } from '../hardening/harness.js';

const USERS = { 'line1-gw': 'line1-pw', 'line2-gw': 'line2-pw', prober: 'prober-pw' };
const topicOf = (agent: string): string => `faultline/fleet/${FLEET}/${agent}/stats`;

describeWithMosquitto('fleet ACLs on bridged brokers', () => {
  it("lets an agent publish only its own statistics and read the fleet's, across the bridges", async () => {
    // The harness checks its bridges on a fleet of its own, as a user of its own.
    const probe = 'topic readwrite faultline/fleet/harness-probe/#';
    const acl = [fleetAcl(FLEET), '', 'user prober', probe].join('\n');
    // The plant broker knows only the lines' bridges, each with the README's lines.
    const bridges = { 'line1-bridge': 'bridge1-pw', 'line2-bridge': 'bridge2-pw' };
    const plant = { users: bridges, acl: ['line1', 'line2'].map((line) => `${plantAcl(FLEET, line)}\n${probe}`).join('\n\n') };
    const brokers = await startFleetBrokers({
      lines: 2,
      line: { users: USERS, acl },
      plant,
      probe: { username: 'prober', password: USERS.prober },
      bridgePassword: (line) => bridges[`${line}-bridge` as keyof typeof bridges],
    });
    const [line1, line2] = brokers.lines;
    const agent1: MqttClient = await client(line1!, { username: 'line1-gw', password: USERS['line1-gw'] });
    const agent2: MqttClient = await client(line2!, { username: 'line2-gw', password: USERS['line2-gw'] });
    const received: string[] = [];
    agent2.on('message', (topic) => received.push(topic));
    await agent2.subscribeAsync(`faultline/fleet/${FLEET}/+/stats`, { qos: 1 });

    // Its own topic: accepted (a refusal would reject the publish), and carried to the other line.
    await agent1.publishAsync(topicOf('line1-gw'), encodeFleetStats(fleetStats({ agent: 'line1-gw' })), { qos: 1, retain: true });
    await waitUntil(() => received.includes(topicOf('line1-gw')), 15_000, "line2-gw reads line1-gw's statistics through the plant");

    // Another member's topic: refused by the broker (MQTT 5 PUBACK 135, not authorized), never delivered.
    const forged = await agent1.publishAsync(topicOf('line2-gw'), encodeFleetStats(fleetStats({ agent: 'line2-gw' })), { qos: 1, retain: true }).catch((error: unknown) => error);
    expect((forged as { code?: number }).code).toBe(135);
    await agent1.publishAsync(topicOf('line1-gw'), Buffer.alloc(0), { qos: 1, retain: true });
    // The clear after it arrives, so the forged message, sent before, would have too.
    await waitUntil(() => received.filter((t) => t === topicOf('line1-gw')).length === 2, 15_000, 'the later clear of line1-gw arrives');
    expect(received).not.toContain(topicOf('line2-gw'));
    await brokers.stop();
  });
});
