// `faultline dead-letters` on a buffer with rejections of several reasons, made by a real agent from
// real bad messages: newest first, by reason, limited, as text (payload bytes escaped) or JSON, while
// the agent runs and after it stopped.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/demo/broker.js';
import { connectClient, openBuffer, type TestBroker } from '../../helpers/brokers.js';
import { runCli, startAgent } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { ingestConfig } from '../ingest/agent.js';

/** Bad messages in the order they are sent, with the reason each is rejected for. */
const BAD: Array<[topic: string, payload: string | Buffer, reason: string]> = [
  ['plant/line1/press1/telemetry', 'not json', 'not_json'],
  ['plant/line1/press1/telemetry', '[1,2]', 'not_object'],
  ['plant/line1/press1/telemetry', '{"temperature":"hot"}', 'bad_value'],
  ['plant/line1/press1/telemetry', '{"ts":"yesterday","temperature":1}', 'bad_timestamp'],
  // A terminal escape sequence and a NUL: shown escaped, never sent to the terminal as they are.
  ['plant/line1/press2/telemetry', Buffer.from('\u001b[31mred\u0000{', 'latin1'), 'not_json'],
  ['plant/line1/press2/telemetry', `{"temperature": 1, "pad": "${'x'.repeat(2000)}"`, 'not_json'],
];

describe('faultline dead-letters', () => {
  it('lists what was rejected and why, newest first, by reason, as text or JSON, whether the agent runs or not', { timeout: 30_000 }, async () => {
    const embedded = await startBroker();
    onCleanup(() => embedded.close());
    const broker: TestBroker = { kind: 'aedes', url: embedded.url, protocolVersion: 4 };
    const dir = await tempDir('dead-letters');
    const config = writeConfig(dir, ingestConfig(broker));
    const empty = await runCli(['dead-letters', '--config', config]);
    expect(empty).toMatchObject({ code: 0, stdout: `no dead letters in ${join(dir, 'faultline.db')}\n` });

    const agent = startAgent(config);
    await agent.waitForLog((l) => l.msg === 'subscribed', 15_000, 'subscribed');
    const client = await connectClient(broker);
    for (const [topic, payload] of BAD) await client.publishAsync(topic, payload, { qos: 1 });
    const buffer = openBuffer(join(dir, 'faultline.db'));
    await waitUntil(() => buffer.count('SELECT count(*) AS n FROM dead_letters') === BAD.length, 10_000, 'every bad message is a dead letter');

    // While the agent runs: newest first, three lines each.
    const all = await runCli(['dead-letters', '--config', config]);
    expect(all.code).toBe(0);
    const reasons = [...all.stdout.matchAll(/^\S+Z {2}(\w+) {2}(\S+)$/gm)].map((m) => m[1]);
    expect(reasons).toEqual(BAD.map(([, , reason]) => reason).reverse());
    expect(all.stdout).toContain('  10 bytes: \\x1b[31mred\\x00{');
    // eslint-disable-next-line no-control-regex -- ESC and NUL must not reach the terminal
    expect(all.stdout).not.toMatch(/[\u0000\u001b]/);
    expect(all.stdout).toMatch(/ 2028 bytes: \{"temperature": 1, "pad": "x{20}x+…/);

    const byReason = await runCli(['dead-letters', '--reason', 'not_json', '--limit', '2', '--config', config]);
    expect([...byReason.stdout.matchAll(/^\S+Z {2}(\w+) /gm)].map((m) => m[1])).toEqual(['not_json', 'not_json']);
    expect(byReason.stdout).toContain('plant/line1/press2/telemetry');
    expect(byReason.stdout).not.toContain('not json');

    expect((await agent.stop()).code).toBe(0);

    // After it stopped, as JSON lines: the kept payload, in base64, byte for byte.
    const json = await runCli(['dead-letters', '--json', '--reason', 'not_json', '--config', config]);
    expect(json.code).toBe(0);
    const letters = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as { topic: string; reason: string; detail: string; payload_bytes: number; payload_base64: string; received_at: string });
    expect(letters.map((l) => l.payload_bytes)).toEqual([2028, 10, 8]);
    expect(Buffer.from(letters[1]!.payload_base64, 'base64')).toEqual(BAD[4]![1]);
    expect(Buffer.from(letters[0]!.payload_base64, 'base64')).toHaveLength(1024);
    expect(letters[2]).toMatchObject({ topic: 'plant/line1/press1/telemetry', reason: 'not_json', received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(letters[2]!.detail).toMatch(/JSON/);

    const badReason = await runCli(['dead-letters', '--reason', 'nope', '--config', config]);
    expect(badReason.code).toBe(64);
    expect(badReason.stderr).toContain('unknown reason "nope"; reasons are too_large, unknown_topic, not_json');
    expect((await runCli(['dead-letters', '--limit', '0', '--config', config])).code).toBe(64);
  });
});
