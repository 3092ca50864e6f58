// The WAL a long snapshot leaves behind is given back a step at a time, on a real buffer file: no
// single truncation frees more than one step, and the WAL ends at its limit.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openDatabase, WAL_LIMIT_BYTES } from '../../../src/store/db.js';
import { STEP_BYTES, nextLimit, startWalRelease, walBytes } from '../../../src/store/wal-release.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';

const MiB = 1024 * 1024;

describe('nextLimit', () => {
  it('asks for one step less than the WAL holds while it is more than a step over the limit', () => {
    expect(nextLimit(WAL_LIMIT_BYTES + STEP_BYTES + 1)).toBe(WAL_LIMIT_BYTES + 1);
    expect(nextLimit(270 * MiB)).toBe(270 * MiB - STEP_BYTES);
    expect(nextLimit(30 * MiB, 4 * MiB, 2 * MiB)).toBe(28 * MiB);
  });

  it('asks for the limit itself once the WAL is within a step of it, or below it', () => {
    expect(nextLimit(WAL_LIMIT_BYTES + STEP_BYTES)).toBe(WAL_LIMIT_BYTES);
    expect(nextLimit(WAL_LIMIT_BYTES)).toBe(WAL_LIMIT_BYTES);
    expect(nextLimit(0)).toBe(WAL_LIMIT_BYTES);
    expect(nextLimit(5 * MiB, 4 * MiB, 2 * MiB)).toBe(4 * MiB);
  });

  it('steps from any size down to the limit, never more than a step at a time', () => {
    for (const start of [0, 1, 3 * MiB, 64 * MiB, 72 * MiB + 1, 270 * MiB, 2048 * MiB + 17]) {
      let size = start;
      for (let i = 0; i < 1000 && size > WAL_LIMIT_BYTES; i++) {
        const next = Math.min(size, nextLimit(size));
        expect(size - next).toBeLessThanOrEqual(STEP_BYTES);
        expect(next).toBeGreaterThanOrEqual(WAL_LIMIT_BYTES);
        size = next;
      }
      expect(size).toBeLessThanOrEqual(Math.max(start, WAL_LIMIT_BYTES));
      if (start > WAL_LIMIT_BYTES) expect(size).toBe(WAL_LIMIT_BYTES);
    }
  });
});

describe('startWalRelease on a real buffer', () => {
  it('truncates a WAL grown behind a snapshot in steps, down to the limit', async () => {
    const path = join(await tempDir('wal-release'), 'faultline.db');
    const db = openDatabase(path, { sync: 'normal' });
    onCleanup(() => {
      db.close();
    });
    db.exec('CREATE TABLE scratch (b BLOB)');
    const insert = db.prepare('INSERT INTO scratch (b) VALUES (?)');

    // A reader holds a snapshot (as a retrain does) while commits grow the WAL to about 10 MB.
    const reader = openDatabase(path, { sync: 'normal', readonly: true });
    onCleanup(() => {
      reader.close();
    });
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM scratch').get();
    const blob = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 160; i++) insert.run(blob);
    const grown = walBytes(path);
    expect(grown).toBeGreaterThan(9 * MiB);

    const limit = MiB;
    const step = MiB;
    const release = startWalRelease(db, path, { limit, step, everyMs: 5 });
    onCleanup(() => release.stop());
    reader.exec('COMMIT');

    // Small commits, as ingest makes. The WAL restarts (and is truncated to the limit set then) after
    // each checkpoint, every 1,000 pages by default; every 8 here, so the test needs few commits.
    db.pragma('wal_autocheckpoint = 8');
    const sizes = [grown];
    const deadline = Date.now() + 10_000;
    while (walBytes(path) > limit + 64 * 1024) {
      if (Date.now() > deadline) throw new Error(`WAL still ${walBytes(path)} bytes after 10 s; sizes seen: ${sizes.join(', ')}`);
      insert.run(Buffer.alloc(4096));
      sizes.push(walBytes(path));
      await sleep(2); // lets the release's timer run between commits, as between ingest batches
    }
    const drops = sizes.slice(1).map((size, i) => (sizes[i] as number) - size).filter((d) => d > 0);
    expect(Math.max(...drops), `drops: ${drops.join(', ')}`).toBeLessThanOrEqual(step);
    expect(drops.length).toBeGreaterThanOrEqual(8);
    expect(db.pragma('journal_size_limit', { simple: true })).toBe(limit);
  });
});
