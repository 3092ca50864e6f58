// Issue 7, "Hostile input": a seeded stream of garbage (random bytes, deep nesting, 10 MB messages,
// thousands of fields, odd topic names, timestamps at the edges) mixed with good telemetry. The agent
// stays up, its memory stays bounded, every good reading is stored and every bad message is counted
// under the reason the contract gives it, without a log line per message.
import { expect, it } from 'vitest';
import { openBuffer } from '../../helpers/brokers.js';
import { mulberry32 } from '../../../src/demo/random.js';
import { describeWithMosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { alive, client, hardeningConfig, httpPort, launch, peakRssMb, rssMb, sampleRss, subscribed } from './harness.js';

const SEED = 20261128;
/** HOSTILE_ROUNDS=70 is the soak recorded in bench/README.md (peak RSS levels off at 234 MB). */
const ROUNDS = Number(process.env['HOSTILE_ROUNDS'] ?? 3);
const MB = 1024 * 1024;
/**
 * The agent idles near 85 MB (bench/README.md). Each 10 MB message is held two or three times over
 * for a moment (the socket's chunks, mqtt-packet's copy, the pipeline until its commit), and the
 * allocator keeps some of that: over 70 rounds the peak levels off at 234 MB. The bound asserted:
 */
const RSS_BOUND_MB = 256;
const MAX_SERIES = 2_000;

interface Message {
  topic: string;
  payload: Buffer;
  /** The reason it must be counted under, or 'stored' with the readings it holds. */
  expect: string;
  readings?: number;
}

/** The hostile stream, seeded; each entry says what the contract makes of it. */
function hostileStream(now: number, seed: number): Message[] {
  const rnd = mulberry32(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const out: Message[] = [];
  const add = (topic: string, payload: string | Buffer, expected: string, readings?: number): void => {
    out.push({ topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, expect: expected, ...(readings ? { readings } : {}) });
  };
  let tick = 0;
  const ts = (): number => now - 20 * 60_000 + tick++; // distinct, recent event times
  const good = 'plant/l1/press1/telemetry';

  // Good telemetry, three readings each, over five assets.
  for (let i = 0; i < 400; i++) {
    add(`plant/l1/asset${i % 5}/telemetry`, JSON.stringify({ ts: ts(), temperature: rnd() * 100, vibration: rnd(), current: -rnd() }), 'stored', 3);
  }
  // Random bytes: 0xFF never starts valid UTF-8, so it can never be JSON.
  for (let i = 0; i < 200; i++) {
    const bytes = Buffer.alloc(1 + int(3000));
    for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
    bytes[0] = 0xff;
    add(good, bytes, 'not_json');
  }
  add(good, '', 'not_json');
  // Deep nesting, just under ingest.max_payload (64 KB): an object 10,000 deep, a list 30,000 deep.
  for (let i = 0; i < 5; i++) add(good, `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 'bad_value');
  for (let i = 0; i < 5; i++) add(good, `${'['.repeat(30_000)}${']'.repeat(30_000)}`, 'not_object');
  // 10 MB messages (Mosquitto's message_size_limit is raised for them).
  for (let i = 0; i < 3; i++) add(good, Buffer.alloc(10 * MB, `{"temperature": ${i},`), 'too_large');
  // Thousands of distinct fields in one message (max_fields is 256).
  for (let i = 0; i < 10; i++) {
    const fields = Object.fromEntries(Array.from({ length: 3_000 }, (_, j) => [`f${i}_${j}`, j]));
    add(good, JSON.stringify(fields), 'too_many_fields');
  }
  // Odd but legal topic names: each names an asset, and its reading is stored.
  const oddAssets = ['press 1', 'presse-ä✓', 'emoji-😀🔥', 'zero\u200bwidth', '\ufeffbom', '$dollar', 'x'.repeat(5_000), 'quote"\'`', 'back\\slash', 'ümlaut line'];
  for (const asset of oddAssets) add(`plant/l1/${asset}/telemetry`, JSON.stringify({ ts: ts(), temperature: 1 }), 'stored', 1);
  add('plant/lïne 2/press1/telemetry', JSON.stringify({ ts: ts(), temperature: 2 }), 'stored', 1);
  // A topic the subscription matches but whose +asset level is empty.
  add('plant/l1//telemetry', JSON.stringify({ ts: ts(), temperature: 1 }), 'unknown_topic');
  // Timestamps at the edges.
  const edges: Array<[unknown, string]> = [
    [0, 'bad_timestamp'],
    [-1, 'bad_timestamp'],
    [-1e12, 'bad_timestamp'],
    [1e20, 'bad_timestamp'],
    [8.64e15 + 1, 'bad_timestamp'],
    ['NaN', 'bad_timestamp'],
    ['Infinity', 'bad_timestamp'],
    ['', 'bad_timestamp'],
    ['1e5', 'bad_timestamp'],
    [null, 'bad_timestamp'],
    [true, 'bad_timestamp'],
    [{}, 'bad_timestamp'],
    [[], 'bad_timestamp'],
    ['2025-06-01T10:00:00', 'bad_timestamp'], // no zone
    ['2025-02-30T00:00:00Z', 'bad_timestamp'], // no such day
    ['2025-13-01T00:00:00Z', 'bad_timestamp'],
    [1, 'too_old'], // epoch s: 1970-01-01T00:00:01Z
    ['1970-01-01T00:00:01Z', 'too_old'],
    [now - 31 * 24 * 3_600_000, 'too_old'],
    [99_999_999_999, 'future_timestamp'], // epoch s, the year 5138
    [8.64e15, 'future_timestamp'],
    ['9999-12-31T23:59:59Z', 'future_timestamp'],
    [now + 3_600_000, 'future_timestamp'],
    [now + 4 * 60_000, 'stored'], // within ingest.max_future (5m)
    [`  ${now - 1_000}  `, 'stored'],
  ];
  for (const [value, reason] of edges) {
    add(`plant/l1/edge/telemetry`, `{"ts": ${JSON.stringify(value)}, "temperature": ${tick++}}`, reason, reason === 'stored' ? 1 : undefined);
  }
  add(good, `{"ts": 1e999, "temperature": 1}`, 'bad_timestamp');
  // Values and shapes.
  for (const body of ['{"temperature": "NaN"}', '{"temperature": null}', '{"temperature": 1e999}', '{"temperature": true}', '{"temperature": [1]}', '{"temperature": {"v": 1}}']) {
    add(good, body, 'bad_value');
  }
  for (const body of ['{}', `{"ts": ${now}}`]) add(good, body, 'no_readings');
  for (const body of ['"text"', '42', 'null', '[]', 'true']) add(good, body, 'not_object');
  for (const body of ['{"temperature": 1', '{temperature: 1}', "{'t': 1}", '{"a":1}{"b":2}']) add(good, body, 'not_json');
  // A fault payload that is not JSON.
  add('plant/l1/press1/fault', '\u0000\u0001garbage', 'not_json');

  // Shuffle (seeded) so garbage and good messages interleave.
  for (let i = out.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describeWithMosquitto('hardening: hostile input', () => {
  it('stays up with bounded memory, stores every good reading, and counts every bad message under its reason', async () => {
    const broker = await startMosquitto({ verboseLogs: false, maxQueuedMessages: 100_000, maxInflightMessages: 0, messageSizeLimit: 16 * MB });
    const dir = await tempDir('hostile');
    const { agent, dbPath } = launch(dir, hardeningConfig(broker.url, { ingest: { max_series: MAX_SERIES }, http: { listen: '127.0.0.1:0' } }));
    await subscribed(agent);
    const port = await httpPort(agent);
    const rss = sampleRss(agent.child.pid!, 100);
    const buffer = openBuffer(dbPath);

    // Three rounds, each its own seed and event times: what is not freed would pile up.
    const c = await client(broker);
    const messages: Message[] = [];
    const perRound: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const stream = hostileStream(Date.now() - round * 10_000, SEED + round);
      messages.push(...stream);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < stream.length) {
          const m = stream[next++]!;
          await c.publishAsync(m.topic, m.payload, { qos: 1 });
        }
      };
      await Promise.all(Array.from({ length: 20 }, worker));
      perRound.push(Math.round(rssMb(agent.child.pid!)));
    }

    const expectedReadings = messages.reduce((sum, m) => sum + (m.readings ?? 0), 0);
    const expectedRejected = new Map<string, number>();
    for (const m of messages) if (m.expect !== 'stored') expectedRejected.set(m.expect, (expectedRejected.get(m.expect) ?? 0) + 1);
    const rejectedTotal = [...expectedRejected.values()].reduce((a, b) => a + b, 0);
    await waitUntil(
      () => buffer.counter('readings') === expectedReadings && buffer.counter('rejected') === rejectedTotal,
      30_000,
      `${expectedReadings} readings and ${rejectedTotal} rejections (have ${buffer.counter('readings')} and ${buffer.counter('rejected')})`,
    );
    const counted = new Map(buffer.all<{ name: string; value: number }>("SELECT name, value FROM counters WHERE name LIKE 'rejected:%'").map((r) => [r.name.slice(9), r.value]));
    expect(counted).toEqual(expectedRejected);
    const deadLetters = new Map(buffer.all<{ reason: string; n: number }>('SELECT reason, count(*) AS n FROM dead_letters GROUP BY reason').map((r) => [r.reason, r.n]));
    expect(deadLetters).toEqual(expectedRejected); // under storage.dead_letters (10,000), so every one is kept
    // The operator sees the same counts on /metrics.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const [reason, n] of expectedRejected) expect(metrics).toContain(`faultline_readings_rejected_total{reason="${reason}"} ${n}`);
    // Odd asset names are stored as sent.
    const assets = new Set(buffer.all<{ name: string }>('SELECT name FROM assets').map((a) => a.name));
    for (const m of messages.filter((x) => x.expect === 'stored')) expect(assets.has(m.topic.split('/')[2]!)).toBe(true);

    // Thousands of new series: the series limit rejects what would go beyond it, whole messages.
    const known = buffer.count('SELECT count(*) AS n FROM series');
    const fit = Math.floor((MAX_SERIES - known) / 100);
    for (let i = 0; i < fit + 10; i++) {
      const fields = Object.fromEntries(Array.from({ length: 100 }, (_, j) => [`s${i}_${j}`, j]));
      await c.publishAsync('plant/l1/sprawl/telemetry', JSON.stringify({ ts: Date.now() - 1_000 - i, ...fields }), { qos: 1 });
    }
    await waitUntil(() => buffer.counter('rejected:too_many_series') === 10, 10_000, '10 messages over ingest.max_series are rejected');
    expect(buffer.counter('readings')).toBe(expectedReadings + fit * 100);
    expect(buffer.count('SELECT count(*) AS n FROM series')).toBeLessThanOrEqual(MAX_SERIES);

    // Still working, memory bounded, and no log line per bad message.
    await c.publishAsync('plant/l1/press1/telemetry', JSON.stringify({ temperature: 42 }), { qos: 1 });
    await waitUntil(() => buffer.counter('readings') === expectedReadings + fit * 100 + 1, 10_000, 'a good reading after the storm is stored');
    const samples = rss.stop();
    const peak = peakRssMb(agent.child.pid!);
    process.stderr.write(
      `[hostile] ${messages.length} messages, ${rejectedTotal} rejected, ${expectedReadings} readings; agent RSS after each round ${perRound.join(', ')} MB, sampled max ${Math.max(...samples).toFixed(0)} MB, peak (VmHWM) ${peak.toFixed(0)} MB\n`,
    );
    expect(peak).toBeLessThan(RSS_BOUND_MB);
    expect(alive(agent)).toBe(true);
    expect(agent.logs.length).toBeLessThan(50);
    expect((await agent.stop()).code).toBe(0);
    // Rejections are summarised by reason, once a minute and at shutdown: a line or two here.
    const summaries = agent.logs.filter((l) => l.msg === 'messages rejected (kept as dead letters)');
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThanOrEqual(3);
    const summarised = summaries.flatMap((l) => Object.values(l['rejected'] as Record<string, number>)).reduce((a, b) => a + b, 0);
    expect(summarised).toBe(rejectedTotal + 10);
  });
});
