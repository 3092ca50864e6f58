// Reads what `faultline status` reports from the buffer; read-only queries, cheap on a large buffer
// (counters and per-series bounds instead of scanning readings).
import type { Db } from './db.js';
import { FLEET_COUNTERS } from './ingest-batch.js';
import { ModelRegistry, type TrainingRunSummary } from './models.js';
import { readTrackRecord, type TrackRecordStatus } from './track-record.js';
import { walBytes } from './wal-release.js';

export interface ModelSummary {
  version: string;
  rmse: number | null;
  trained_at: string;
}

export interface BufferStatus {
  readings: number;
  rejected: number;
  faults: number;
  assets: number;
  oldest_ts: number | null;
  newest_ts: number | null;
  db_bytes: number;
  /** The write-ahead log beside it: up to 64 MB, more while a retrain reads (store/wal-release.ts). */
  wal_bytes: number;
  dead_letters: number;
  outbox: number;
  model: ModelSummary | null;
  /** How the latest training run ended (why there is no model yet, or why the last one was not taken). */
  last_training: TrainingRunSummary | null;
  /** The live track record: lead times before faults, missed faults, false alarms (issue 16). */
  track_record: TrackRecordStatus;
}

export function readCounter(db: Db, name: string): number {
  const row = db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as { value: number } | undefined;
  return row?.value ?? 0;
}

/** Rejected messages since the buffer was made, by reason (the counters ingest keeps with each batch). */
export function rejectedByReason(db: Db): Map<string, number> {
  const rows = db.prepare("SELECT name, value FROM counters WHERE name LIKE 'rejected:%'").all() as Array<{ name: string; value: number }>;
  return new Map(rows.map((r) => [r.name.slice('rejected:'.length), r.value]));
}

/** Messages on the fleet's statistics topics since the buffer was made: accepted, cleared, and rejected by reason. */
export function fleetMessages(db: Db): { accepted: number; cleared: number; rejected: Map<string, number> } {
  const prefix = FLEET_COUNTERS.rejected;
  const rows = db.prepare('SELECT name, value FROM counters WHERE substr(name, 1, ?) = ?').all(prefix.length, prefix) as Array<{ name: string; value: number }>;
  return {
    accepted: readCounter(db, FLEET_COUNTERS.accepted),
    cleared: readCounter(db, FLEET_COUNTERS.cleared),
    rejected: new Map(rows.map((r) => [r.name.slice(prefix.length), r.value])),
  };
}

export function readStatus(db: Db): BufferStatus {
  const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
  const bounds = db.prepare('SELECT min(first_ts) AS oldest, max(last_ts) AS newest FROM series').get() as {
    oldest: number | null;
    newest: number | null;
  };
  const pages = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  return {
    readings: readCounter(db, 'readings'),
    rejected: readCounter(db, 'rejected'),
    faults: count('SELECT count(*) AS n FROM faults'),
    assets: count('SELECT count(*) AS n FROM assets'),
    oldest_ts: bounds.oldest,
    newest_ts: bounds.newest,
    db_bytes: pages * pageSize,
    wal_bytes: walBytes(db.name),
    dead_letters: count('SELECT count(*) AS n FROM dead_letters'),
    outbox: count('SELECT count(*) AS n FROM outbox'),
    model: championSummary(db),
    last_training: new ModelRegistry(db).lastRun(),
    track_record: readTrackRecord(db),
  };
}

function championSummary(db: Db): ModelSummary | null {
  const row = db.prepare("SELECT version, trained_at, card FROM models WHERE status = 'champion'").get() as
    | { version: number; trained_at: number; card: string }
    | undefined;
  if (!row) return null;
  const card = JSON.parse(row.card) as { metrics?: { challenger?: { rmse?: number } } };
  return {
    version: String(row.version),
    rmse: card.metrics?.challenger?.rmse ?? null,
    trained_at: new Date(row.trained_at).toISOString(),
  };
}
