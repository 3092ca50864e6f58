import { describe, expect, it } from 'vitest';
import { GroupCommit, ShutdownError, type Entry } from '../../../src/ingest/group-commit.js';
import { createLogger } from '../../../src/log.js';
import type { Batch, BatchResult } from '../../../src/store/ingest-batch.js';
import { waitUntil } from '../../helpers/wait.js';

const silent = createLogger('fatal');
const reading = (ts: number): Entry => ({ kind: 'readings', readings: [{ asset: 'a', line: null, sensor: 's', ts, value: ts }] });

function setup(options: { batchSize?: number; maxPending?: number; fail?: () => boolean } = {}) {
  const writes: Batch[] = [];
  const committed: Batch[] = [];
  const commit = new GroupCommit({
    write: (batch): BatchResult => {
      if (options.fail?.()) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      writes.push(batch);
      return { stored: batch.readings.length, duplicates: 0, faults: batch.faults.length };
    },
    onCommitted: (batch) => committed.push(batch),
    batchSize: options.batchSize ?? 100,
    maxPending: options.maxPending ?? 1000,
    log: silent,
  });
  return { commit, writes, committed };
}

describe('GroupCommit', () => {
  it('writes everything added in one event-loop turn in one transaction, then resolves', async () => {
    const { commit, writes, committed } = setup();
    let durable = 0;
    const all = [1, 2, 3].map((ts) => commit.add(reading(ts)).then(() => durable++));
    expect(durable).toBe(0);
    expect(writes).toHaveLength(0);
    await Promise.all(all);
    expect(writes).toHaveLength(1);
    expect(writes[0]!.readings.map((r) => r.ts)).toEqual([1, 2, 3]);
    expect(committed).toEqual(writes);
  });

  it('splits at batchSize and keeps arrival order', async () => {
    const { commit, writes } = setup({ batchSize: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((ts) => commit.add(reading(ts))));
    expect(writes.map((b) => b.readings.map((r) => r.ts))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('carries faults and dead letters in the same transaction', async () => {
    const { commit, writes } = setup();
    await Promise.all([
      commit.add(reading(1)),
      commit.add({ kind: 'fault', fault: { asset: 'a', line: null, ts: 2, fields: {} } }),
      commit.add({ kind: 'dead_letter', deadLetter: { receivedAt: 3, topic: 't', reason: 'not_json', detail: 'x', payload: Buffer.from('x') } }),
    ]);
    expect(writes).toHaveLength(1);
    expect([writes[0]!.readings.length, writes[0]!.faults.length, writes[0]!.deadLetters.length]).toEqual([1, 1, 1]);
  });

  it('holds messages while writes fail, reports the stall, and resolves once a write succeeds', async () => {
    let failing = true;
    const { commit, writes } = setup({ fail: () => failing });
    let durable = false;
    const pending = commit.add(reading(1)).then(() => (durable = true));
    await waitUntil(() => commit.stalled, 2_000, 'the commit reports a stall');
    expect(durable).toBe(false);
    expect(commit.pending).toBe(1);
    failing = false;
    await pending;
    expect(durable).toBe(true);
    expect(writes).toHaveLength(1);
    expect(commit.stalled).toBeNull();
  });

  it('asks the reader to pause at maxPending and releases it after draining', async () => {
    let failing = true;
    const { commit } = setup({ maxPending: 4, fail: () => failing });
    const messages = [1, 2, 3, 4].map((ts) => commit.add(reading(ts)));
    const pause = commit.backpressure();
    expect(pause).not.toBeNull();
    let released = false;
    void pause!.then(() => (released = true));
    await waitUntil(() => commit.stalled, 2_000, 'the stall');
    expect(released).toBe(false);
    failing = false;
    await Promise.all(messages);
    await waitUntil(() => released, 2_000, 'the reader is released');
    expect(commit.backpressure()).toBeNull();
  });

  it('on close, writes what it can and rejects the rest so it is never acknowledged', async () => {
    const { commit } = setup({ fail: () => true });
    const message = commit.add(reading(1));
    commit.close();
    await expect(message).rejects.toBeInstanceOf(ShutdownError);
    await expect(commit.add(reading(2))).rejects.toBeInstanceOf(ShutdownError);
  });
});
