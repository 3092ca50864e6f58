// A mixed stream of good, duplicated and bad messages through a real broker into the real agent:
// every reading stored exactly once, every bad message counted under its reason and dead-lettered.
import { statSync } from 'node:fs';
import { expect, it } from 'vitest';
import { connectClient, describeEachBroker, openBuffer } from '../../helpers/brokers.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { startIngestAgent } from './agent.js';

const ASSETS = ['press1', 'press2', 'lathe7'];
const PER_ASSET = 100;

describeEachBroker('ingest of a mixed stream', (startBroker) => {
  it('stores every reading exactly once and counts every bad message under its reason', async () => {
    const broker = await startBroker();
    const dir = await tempDir('ingest');
    const { agent, dbPath, configPath } = await startIngestAgent(dir, broker, { ingest: { max_payload: '4KB' } });
    const client = await connectClient(broker);
    const base = Date.now() - 60_000;

    const good: Array<{ topic: string; payload: string }> = [];
    for (const [a, asset] of ASSETS.entries()) {
      for (let i = 0; i < PER_ASSET; i++) {
        const ts = base + i * 100;
        good.push({ topic: `plant/l1/${asset}/telemetry`, payload: JSON.stringify({ ts, temperature: 60 + a + i / 10, vibration: i / 1000, current: 3 + a }) });
      }
    }
    const bad: Array<[topic: string, payload: string | Buffer, reason: string]> = [
      ['plant/l1/press1/telemetry', 'temperature=71', 'not_json'],
      ['plant/l1/press1/telemetry', '[1,2,3]', 'not_object'],
      ['plant/l1/press1/telemetry', JSON.stringify({ ts: base, temperature: 'hot' }), 'bad_value'],
      ['plant/l1/press1/telemetry', `{"ts": ${base}, "temperature": 1e999}`, 'bad_value'],
      ['plant/l1/press1/telemetry', Buffer.alloc(5000, 0x20), 'too_large'],
      ['plant/l1/press1/telemetry', JSON.stringify({ ts: '2025-11-28T08:00:00', temperature: 1 }), 'bad_timestamp'],
      ['plant/l1/press1/telemetry', JSON.stringify({ ts: Date.now() + 86_400_000, temperature: 1 }), 'future_timestamp'],
      ['plant/l1/press1/telemetry', JSON.stringify({ ts: Date.now() - 40 * 86_400_000, temperature: 1 }), 'too_old'],
      ['plant/l1/press1/telemetry', JSON.stringify({ ts: base }), 'no_readings'],
    ];
    // An empty level matches the subscription but names no asset. aedes 1.2 stops delivering to a
    // persistent session after such a topic (seen here), so only the real broker gets this case.
    if (broker.kind === 'mosquitto') bad.push(['plant/l1//telemetry', JSON.stringify({ ts: base, temperature: 1 }), 'unknown_topic']);

    // Interleave: each good message twice (a redelivery), a bad one every 30 messages, two faults.
    let badIndex = 0;
    for (const [i, message] of good.entries()) {
      await client.publishAsync(message.topic, message.payload, { qos: 1 });
      await client.publishAsync(message.topic, message.payload, { qos: 1 });
      if (i % 30 === 0 && badIndex < bad.length) {
        const [topic, payload] = bad[badIndex++]!;
        await client.publishAsync(topic, payload, { qos: 1 });
      }
    }
    while (badIndex < bad.length) {
      const [topic, payload] = bad[badIndex++]!;
      await client.publishAsync(topic, payload, { qos: 1 });
    }
    await client.publishAsync('plant/l1/press1/fault', '', { qos: 1 });
    await client.publishAsync('plant/l1/press2/fault', JSON.stringify({ ts: base + 5_000, code: 'E42' }), { qos: 1 });

    const buffer = openBuffer(dbPath);
    const expectedReadings = ASSETS.length * PER_ASSET * 3;
    await waitUntil(
      () => buffer.counter('readings') === expectedReadings && buffer.counter('rejected') === bad.length && buffer.count('SELECT count(*) AS n FROM faults') === 2,
      20_000,
      `${expectedReadings} readings, ${bad.length} rejections and 2 faults are stored (have ${JSON.stringify(buffer.all("SELECT * FROM counters"))}, faults ${buffer.count("SELECT count(*) AS n FROM faults")})`,
    );

    expect(buffer.count('SELECT count(*) AS n FROM readings')).toBe(expectedReadings);
    const rows = buffer.all<{ asset: string; sensor: string; ts: number; value: number }>(
      'SELECT a.name AS asset, s.sensor, r.ts, r.value FROM readings r JOIN series s ON s.id = r.series_id JOIN assets a ON a.id = s.asset_id',
    );
    const stored = new Map(rows.map((r) => [`${r.asset}/${r.sensor}/${r.ts}`, r.value]));
    for (const message of good) {
      const asset = message.topic.split('/')[2]!;
      const { ts, ...sensors } = JSON.parse(message.payload) as Record<string, number>;
      for (const [sensor, value] of Object.entries(sensors)) expect(stored.get(`${asset}/${sensor}/${ts}`)).toBe(value);
    }

    const byReason = buffer.all<{ reason: string; n: number }>('SELECT reason, count(*) AS n FROM dead_letters GROUP BY reason');
    const expectedByReason = new Map<string, number>();
    for (const [, , reason] of bad) expectedByReason.set(reason, (expectedByReason.get(reason) ?? 0) + 1);
    expect(Object.fromEntries(byReason.map((r) => [r.reason, r.n]))).toEqual(Object.fromEntries(expectedByReason));
    for (const [reason, n] of expectedByReason) expect(buffer.counter(`rejected:${reason}`)).toBe(n);
    const tooLarge = buffer.all<{ payload: Buffer; payload_bytes: number }>("SELECT payload, payload_bytes FROM dead_letters WHERE reason = 'too_large'")[0]!;
    expect(tooLarge.payload_bytes).toBe(5000);
    expect(tooLarge.payload.length).toBe(1024);

    const fault = buffer.all<{ fields: string; ts: number }>("SELECT f.fields, f.ts FROM faults f JOIN assets a ON a.id = f.asset_id WHERE a.name = 'press2'")[0]!;
    expect(fault).toEqual({ ts: base + 5_000, fields: JSON.stringify({ code: 'E42' }) });

    const status = await runCli(['status', '--json', '--config', configPath]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      readings: expectedReadings,
      rejected: bad.length,
      faults: 2,
      assets: 3,
      oldest_ts: base,
      newest_ts: base + (PER_ASSET - 1) * 100,
    });
    // The running agent's write-ahead log, beside the buffer's pages.
    expect(JSON.parse(status.stdout).wal_bytes).toBe(statSync(`${dbPath}-wal`).size);
    expect(agent.child.exitCode).toBeNull();
    expect((await agent.stop()).code).toBe(0);
  });
});
