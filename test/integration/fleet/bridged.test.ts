// Fleet statistics across bridged brokers (issue 15): three Mosquitto line brokers bridged to a
// plant broker, real agents on two of them. A member's retained statistics reach the other agent's
// members' table through the bridges; clearing them removes the member; a hostile message of every
// kind is rejected, counted under /metrics and dead-lettered with its reason, and the agent runs on.
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import { encodeFleetStats, FLEET_DEFECTS } from '../../../src/fleet/codec.js';
import { openBuffer } from '../../helpers/brokers.js';
import { runCli, startAgent, type AgentProcess } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { FLEET, fleetStats, gzipJson, hostileMessages } from '../../helpers/fleet-stats.js';
import { describeWithMosquitto } from '../../helpers/mosquitto.js';
import { startFleetBrokers } from '../../helpers/mosquitto-fleet.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { alive, client, httpPort, subscribed } from '../hardening/harness.js';

const MAX_BYTES = 1024 ** 2;
const topicOf = (agent: string): string => `faultline/fleet/${FLEET}/${agent}/stats`;

interface Member {
  agent: AgentProcess;
  dbPath: string;
  configPath: string;
}

async function startMember(url: string, id: string, fleet: Record<string, unknown>): Promise<Member> {
  const dir = await tempDir(`fleet-${id}`);
  const configPath = writeConfig(dir, {
    agent: { id },
    mqtt: { url, protocol_version: 5, reconnect_min: '100ms', reconnect_max: '400ms', keepalive: '5s' },
    telemetry: [{ topic: 'plant/+line/+asset/telemetry' }],
    faults: [{ topic: 'plant/+line/+asset/fault' }],
    http: { listen: '127.0.0.1:0' },
    fleet: { id: FLEET, max_message_bytes: '1MB', ...fleet },
  });
  const agent = startAgent(configPath);
  await subscribed(agent);
  return { agent, dbPath: join(dir, 'faultline.db'), configPath };
}

async function metrics(agent: AgentProcess): Promise<string> {
  return (await fetch(`http://127.0.0.1:${await httpPort(agent)}/metrics`)).text();
}

/** A sample's value in an exposition, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function publish(c: MqttClient, topic: string, payload: Buffer, retain = false): Promise<void> {
  await c.publishAsync(topic, payload, { qos: 1, retain });
}

describeWithMosquitto('fleet statistics over bridged Mosquitto brokers', () => {
  it("carries a member's retained statistics to another line's agent, drops the member when cleared, and refuses every hostile kind", { timeout: 90_000 }, async () => {
    const brokers = await startFleetBrokers({ lines: 3 });
    const [line1, , line3] = brokers.lines;
    // A shares and learns on line 1; B learns on line 2 from line1-gw and line3-gw only.
    const a = await startMember(brokers.urls[0]!, 'line1-gw', { share: true, learn: true });
    const b = await startMember(brokers.urls[1]!, 'line2-gw', { learn: true, members: ['line1-gw', 'line3-gw'] });
    expect(b.agent.logs.find((l) => l.msg === 'subscribed')?.['topics']).toContain(`faultline/fleet/${FLEET}/+/stats`);

    // A's statistics, published retained on A's topic at line 1, reach B's members on line 2.
    const stats = fleetStats({ agent: 'line1-gw' });
    const onLine1 = await client(line1!);
    await publish(onLine1, topicOf('line1-gw'), encodeFleetStats(stats), true);
    const bBuffer = openBuffer(b.dbPath);
    await waitUntil(() => bBuffer.count("SELECT count(*) AS n FROM fleet_members WHERE agent = 'line1-gw'") === 1, 15_000, "line1-gw's statistics in B's members");
    const row = bBuffer.all<{ fleet: string; episodes: number; recipe: string }>('SELECT fleet, episodes, recipe FROM fleet_members')[0];
    expect(row).toEqual({ fleet: FLEET, episodes: stats.episodes.length, recipe: stats.recipe!.hash });
    // A got its own message back and left it alone: it has its own data.
    expect(openBuffer(a.dbPath).count('SELECT count(*) AS n FROM fleet_members')).toBe(0);
    const listed = JSON.parse((await runCli(['fleet', '--json', '--config', b.configPath])).stdout);
    expect(listed).toMatchObject({ fleet: FLEET, learn: true, allowed: ['line1-gw', 'line3-gw'], members: [{ agent: 'line1-gw', episodes: 3 }], messages: { accepted: 1 } });
    const table = (await runCli(['fleet', '--config', b.configPath])).stdout;
    expect(table).toContain(`fleet     ${FLEET} (share off, learn on; members: line1-gw, line3-gw)`);
    expect(table).toMatch(new RegExp(`^  line1-gw  3 episode\\(s\\), recipe ${stats.recipe!.hash}, sent \\S+, received \\d+ s ago, [\\d.]+ KB$`, 'm'));
    let text = await metrics(b.agent);
    expect(sample(text, 'faultline_fleet_members')).toBe(1);
    expect(sample(text, 'faultline_fleet_messages_total{result="accepted"}')).toBe(1);
    expect(sample(await metrics(a.agent), 'faultline_fleet_members')).toBe(0);

    // An agent that starts later gets the retained statistics at once, across two bridges.
    const late = await startMember(brokers.urls[2]!, 'line3-gw', { learn: true });
    await waitUntil(() => openBuffer(late.dbPath).count('SELECT count(*) AS n FROM fleet_members') === 1, 15_000, 'the retained statistics reach an agent started later');

    // Clearing the retained message (an empty payload) removes the member everywhere.
    await publish(onLine1, topicOf('line1-gw'), Buffer.alloc(0), true);
    await waitUntil(() => bBuffer.count('SELECT count(*) AS n FROM fleet_members') === 0, 15_000, 'the cleared member is gone from B');
    expect(sample(await metrics(b.agent), 'faultline_fleet_messages_total{result="cleared"}')).toBe(1);

    // Every hostile kind, from line 3, with B's bound (1 MB) and allow-list; not_gzip twice.
    const onLine3 = await client(line3!);
    const hostile = hostileMessages('line3-gw').filter(([reason]) => reason !== 'oversized' && reason !== 'not_member');
    for (const [, make] of hostile) await publish(onLine3, topicOf('line3-gw'), make());
    await publish(onLine3, topicOf('line3-gw'), Buffer.from('{"again": "not gzip"}'));
    await publish(onLine3, topicOf('line3-gw'), Buffer.alloc(MAX_BYTES + 1, 0x1f)); // oversized as sent
    await publish(onLine3, topicOf('line3-gw'), gzipJson(' '.repeat(8 * MAX_BYTES))); // a bomb: oversized once decompressed
    await publish(onLine3, topicOf('intruder-gw'), encodeFleetStats(fleetStats({ agent: 'intruder-gw' })));
    const expected = hostile.length + 4;
    await waitUntil(() => bBuffer.count('SELECT count(*) AS n FROM dead_letters') === expected, 20_000, `B dead-letters all ${expected} hostile messages`);

    const letters = bBuffer.all<{ reason: string; topic: string; detail: string }>('SELECT reason, topic, detail FROM dead_letters ORDER BY id');
    expect(new Set(letters.map((l) => l.reason))).toEqual(new Set(FLEET_DEFECTS));
    expect(letters.filter((l) => l.reason === 'oversized')).toHaveLength(2);
    expect(letters.find((l) => l.reason === 'not_member')).toMatchObject({ topic: topicOf('intruder-gw'), detail: 'agent "intruder-gw" is not in fleet.members' });
    expect(letters.every((l) => l.topic.startsWith(`faultline/fleet/${FLEET}/`) && l.detail.length > 0)).toBe(true);
    expect(bBuffer.count('SELECT count(*) AS n FROM fleet_members')).toBe(0);

    text = await metrics(b.agent);
    for (const reason of FLEET_DEFECTS) {
      const times = reason === 'oversized' || reason === 'not_gzip' ? 2 : 1;
      expect(sample(text, `faultline_fleet_messages_total{result="rejected",reason="${reason}"}`), reason).toBe(times);
    }
    // Rejected readings are another count: none of these were readings.
    expect(text).not.toMatch(/^faultline_readings_rejected_total\{/m);
    // One log line per reason, however many came: two not_gzip, one line.
    const logged = b.agent.logs.filter((l) => l.msg === 'fleet statistics rejected (kept as a dead letter)');
    expect(logged.map((l) => l['reason']).sort()).toEqual([...FLEET_DEFECTS].sort());
    expect(alive(b.agent)).toBe(true);

    // Still in service: a valid member after all that is taken.
    await publish(onLine3, topicOf('line3-gw'), encodeFleetStats(fleetStats({ agent: 'line3-gw', seed: 3 })), true);
    await waitUntil(() => bBuffer.count("SELECT count(*) AS n FROM fleet_members WHERE agent = 'line3-gw'") === 1, 15_000, "line3-gw's statistics in B's members");
    for (const member of [a, b, late]) expect((await member.agent.stop()).code).toBe(0);
    await brokers.stop();
  });
});
