// Keeps the buffer bounded by age (storage.retention) and by size (storage.max_size), a few thousand
// rows per transaction so ingest never waits long for the write lock.
import type { Db } from './db.js';
import { pruneHistory } from './prediction-history.js';
import { pruneTrackRecord } from './track-record.js';

/** Rows deleted per transaction: a few ms of work on a gateway's flash. */
const CHUNK = 5_000;

export interface RetentionLimits {
  retentionMs: number;
  maxBytes: number;
}

export interface PruneStep {
  deleted: number;
  why: 'age' | 'size' | null;
}

/** Bytes the buffer's pages hold (free pages are reused before the file grows). */
export function usedBytes(db: Db): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  return (pages - free) * size;
}

export class Retention {
  private readonly st;

  constructor(private readonly db: Db) {
    this.st = {
      oldestSeries: db.prepare<[number]>('SELECT id FROM series WHERE first_ts < ? ORDER BY first_ts LIMIT 1'),
      oldestTs: db.prepare('SELECT min(first_ts) AS ts FROM series'),
      newestTs: db.prepare('SELECT max(last_ts) AS ts FROM series'),
      chunkEnd: db.prepare<[number, number, number]>(
        'SELECT ts FROM readings WHERE series_id = ? AND ts < ? ORDER BY ts LIMIT 1 OFFSET ?',
      ),
      deleteBelow: db.prepare<[number, number]>('DELETE FROM readings WHERE series_id = ? AND ts < ?'),
      refreshFirst: db.prepare<[{ id: number }]>(
        'UPDATE series SET first_ts = (SELECT min(ts) FROM readings WHERE series_id = @id) WHERE id = @id',
      ),
      deleteFaults: db.prepare<[number]>('DELETE FROM faults WHERE ts < ?'),
      subtract: db.prepare<[number]>("UPDATE counters SET value = value - ? WHERE name = 'readings'"),
    };
  }

  usedBytes(): number {
    return usedBytes(this.db);
  }

  /** Deletes at most one chunk; `why: null` means the buffer is within its limits. */
  step(now: number, limits: RetentionLimits): PruneStep {
    const ageCutoff = now - limits.retentionMs;
    const byAge = this.st.oldestSeries.get(ageCutoff) as { id: number } | undefined;
    if (byAge) return { deleted: this.deleteChunk(byAge.id, ageCutoff), why: 'age' };
    this.st.deleteFaults.run(ageCutoff);
    // The prediction history and the track record follow the readings out: by age, and the history
    // also once older than the oldest reading left (after a trim by size).
    const oldest = (this.st.oldestTs.get() as { ts: number | null }).ts;
    const derived = pruneHistory(this.db, Math.max(ageCutoff, oldest ?? ageCutoff)) + pruneTrackRecord(this.db, ageCutoff, CHUNK);
    if (derived > 0) return { deleted: 0, why: 'age' };

    if (this.usedBytes() <= limits.maxBytes) return { deleted: 0, why: null };
    const newest = (this.st.newestTs.get() as { ts: number | null }).ts;
    if (oldest === null || newest === null) return { deleted: 0, why: null };
    // Over size: trim the oldest 1% of the time span, oldest series first.
    const sizeCutoff = oldest + Math.max(1, Math.ceil((newest - oldest) / 100));
    const bySize = this.st.oldestSeries.get(sizeCutoff) as { id: number } | undefined;
    if (!bySize) return { deleted: 0, why: null };
    return { deleted: this.deleteChunk(bySize.id, sizeCutoff), why: 'size' };
  }

  private deleteChunk(seriesId: number, cutoff: number): number {
    // IMMEDIATE: a deferred transaction that reads first cannot become a writer once the training
    // process has committed in between (SQLITE_BUSY at once, no busy wait; seen 13 times in bench:soak).
    return this.db.transaction(() => {
      const end = this.st.chunkEnd.get(seriesId, cutoff, CHUNK) as { ts: number } | undefined;
      const deleted = this.st.deleteBelow.run(seriesId, end ? end.ts : cutoff).changes;
      this.st.refreshFirst.run({ id: seriesId });
      this.st.subtract.run(deleted);
      return deleted;
    }).immediate();
  }
}
