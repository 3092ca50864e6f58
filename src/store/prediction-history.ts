// The prediction history the status page plots: a sample of each asset's predictions in the buffer,
// with the asset's faults beside it. Rows follow the readings out (retention.ts): by age, and once
// older than the oldest reading left. Knows tables, not which predictions are worth keeping.
import type { Level } from '../predict/levels.js';
import type { Db, Statement } from './db.js';

export interface HistoryPoint {
  asset: string;
  ts: number;
  risk: number;
  timeToFaultS: number;
  level: Level;
  modelVersion: string;
}

/** One asset's history over a span, as columns (what a chart takes). */
export interface HistoryRange {
  asset: string;
  from: number;
  to: number;
  ts: number[];
  risk: number[];
  timeToFaultS: number[];
  level: number[];
  faults: number[];
}

export interface LatestPoint extends HistoryPoint {
  line: string | null;
}

/** Rows deleted per call: a few ms of work, like the readings' chunks. */
const PRUNE_CHUNK = 5_000;

export class PredictionHistory {
  private readonly st: {
    insert: Statement<[number, number, number, number, string, string]>;
    range: Statement<[string, number, number]>;
    faults: Statement<[string, number, number]>;
    newest: Statement<[string]>;
    latest: Statement;
  };

  constructor(db: Db) {
    this.st = {
      insert: db.prepare(
        'INSERT OR REPLACE INTO prediction_history (asset_id, ts, risk, time_to_fault_s, level, model_version) SELECT id, ?, ?, ?, ?, ? FROM assets WHERE name = ?',
      ),
      range: db.prepare(
        'SELECT h.ts, h.risk, h.time_to_fault_s AS ttf, h.level FROM prediction_history h JOIN assets a ON a.id = h.asset_id WHERE a.name = ? AND h.ts >= ? AND h.ts <= ? ORDER BY h.ts',
      ),
      faults: db.prepare('SELECT f.ts FROM faults f JOIN assets a ON a.id = f.asset_id WHERE a.name = ? AND f.ts >= ? AND f.ts <= ? ORDER BY f.ts').pluck(),
      newest: db.prepare('SELECT max(h.ts) FROM prediction_history h JOIN assets a ON a.id = h.asset_id WHERE a.name = ?').pluck(),
      latest: db.prepare(
        `SELECT a.name AS asset, a.line, h.ts, h.risk, h.time_to_fault_s AS timeToFaultS, h.level, h.model_version AS modelVersion
         FROM assets a JOIN prediction_history h ON h.asset_id = a.id
         WHERE h.ts = (SELECT max(ts) FROM prediction_history WHERE asset_id = a.id)`,
      ),
    };
  }

  /** Stores points of assets the buffer knows (a prediction's readings are stored before it is made). */
  append(points: readonly HistoryPoint[]): void {
    for (const p of points) this.st.insert.run(p.ts, p.risk, p.timeToFaultS, p.level, p.modelVersion, p.asset);
  }

  /** The asset's history over the `spanMs` of event time up to its newest point, with its faults. */
  recent(asset: string, spanMs: number): HistoryRange {
    const newest = (this.st.newest.get(asset) as number | null) ?? 0;
    const from = newest - spanMs;
    const rows = this.st.range.all(asset, from, newest) as Array<{ ts: number; risk: number; ttf: number; level: number }>;
    return {
      asset,
      from,
      to: newest,
      ts: rows.map((r) => r.ts),
      risk: rows.map((r) => r.risk),
      timeToFaultS: rows.map((r) => r.ttf),
      level: rows.map((r) => r.level),
      faults: this.st.faults.all(asset, from, newest) as number[],
    };
  }

  /** Each asset's newest point: what the page shows before the first live prediction. */
  latest(): LatestPoint[] {
    return this.st.latest.all() as LatestPoint[];
  }
}

/**
 * Deletes up to a chunk of history older than `cutoff` (event time, ms); returns how many. The
 * retention loop calls it with the age cutoff, or the oldest reading left when size trimmed them.
 */
export function pruneHistory(db: Db, cutoff: number): number {
  return db
    .prepare<[number, number]>('DELETE FROM prediction_history WHERE (asset_id, ts) IN (SELECT asset_id, ts FROM prediction_history WHERE ts < ? LIMIT ?)')
    .run(cutoff, PRUNE_CHUNK).changes;
}
