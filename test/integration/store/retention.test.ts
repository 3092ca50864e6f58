// Retention on a real SQLite buffer: by age and by size, in bounded chunks, with counters and series
// bounds kept right; and end to end, an agent with a short retention forgetting old readings.
import { join } from 'node:path';
import { expect, it, describe } from 'vitest';
import { openDatabase } from '../../../src/store/db.js';
import { BatchWriter, type ReadingRow } from '../../../src/store/ingest-batch.js';
import { Retention } from '../../../src/store/retention.js';
import { readStatus } from '../../../src/store/status.js';
import { connectClient, describeEachBroker, openBuffer } from '../../helpers/brokers.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { startIngestAgent } from '../ingest/agent.js';

async function bufferWith(readings: ReadingRow[]) {
  const dir = await tempDir('retention');
  const db = openDatabase(join(dir, 'faultline.db'), { sync: 'normal' });
  onCleanup(() => {
    db.close();
  });
  const writer = new BatchWriter(db, 100);
  for (let i = 0; i < readings.length; i += 10_000) writer.writeBatch({ readings: readings.slice(i, i + 10_000), faults: [], deadLetters: [] });
  return db;
}

const series = (asset: string, sensor: string, from: number, count: number, step: number): ReadingRow[] =>
  Array.from({ length: count }, (_, i) => ({ asset, line: null, sensor, ts: from + i * step, value: i }));

describe('Retention', () => {
  it('deletes readings older than the retention, a chunk at a time, and keeps counts and bounds right', async () => {
    const now = 10_000_000;
    const db = await bufferWith([...series('a', 'x', now - 20_000, 20_000, 1), ...series('b', 'y', now - 5_000, 5_000, 1)]);
    const retention = new Retention(db);
    const limits = { retentionMs: 10_000, maxBytes: 1e12 };
    const steps: number[] = [];
    for (;;) {
      const step = retention.step(now, limits);
      if (step.why === null) break;
      expect(step.why).toBe('age');
      steps.push(step.deleted);
    }
    expect(steps.every((n) => n <= 5_001)).toBe(true);
    expect(steps.reduce((a, b) => a + b, 0)).toBe(10_000);
    const status = readStatus(db);
    expect(status.readings).toBe(15_000);
    expect(status.oldest_ts).toBe(now - 10_000);
    expect((db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n).toBe(15_000);
  });

  it('deletes the oldest readings until the buffer fits max_size', async () => {
    const now = 50_000_000;
    const db = await bufferWith([...series('a', 'x', now - 100_000, 100_000, 1), ...series('b', 'y', now - 100_000, 100_000, 1)]);
    const retention = new Retention(db);
    const before = retention.usedBytes();
    const limits = { retentionMs: 1e12, maxBytes: Math.floor(before / 2) };
    let why: string | null = 'size';
    while (why !== null) why = retention.step(now, limits).why;
    expect(retention.usedBytes()).toBeLessThanOrEqual(limits.maxBytes);
    const status = readStatus(db);
    expect(status.newest_ts).toBe(now - 1);
    expect(status.readings).toBeLessThan(200_000);
    expect(status.readings).toBeGreaterThan(50_000);
    // What is left is the newest part of each series, not a random sample.
    const gaps = db.prepare('SELECT s.sensor, min(r.ts) AS first, count(*) AS n FROM readings r JOIN series s ON s.id = r.series_id GROUP BY s.sensor').all() as Array<{ first: number; n: number }>;
    for (const g of gaps) expect(g.first + g.n).toBe(now);
  });
});

describeEachBroker('retention in a running agent', (startBroker) => {
  it('forgets readings once they are older than storage.retention', async () => {
    const broker = await startBroker();
    const dir = await tempDir('retention-agent');
    const { agent, dbPath } = await startIngestAgent(dir, broker, { storage: { retention: '3s' }, model: { horizon: '1s', window: '1s' } });
    const client = await connectClient(broker);
    const now = Date.now();
    for (let i = 0; i < 50; i++) await client.publishAsync('plant/l1/press1/telemetry', JSON.stringify({ ts: now - 1_000 + i, t: i }), { qos: 1 });
    const buffer = openBuffer(dbPath);
    await waitUntil(() => buffer.counter('readings') === 50, 10_000, 'the readings are stored');
    await waitUntil(() => buffer.count('SELECT count(*) AS n FROM readings') === 0, 15_000, 'the readings are pruned');
    expect(buffer.counter('readings')).toBe(0);
    expect((await agent.stop()).code).toBe(0);
  });
});
