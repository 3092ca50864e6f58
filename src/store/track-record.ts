// The live track record in the buffer: one row per fault and per false alarm, by asset and model
// version, and the summaries the status page and `faultline status` show. Bounded: rows go with
// the readings' age (retention.ts) and beyond MAX_ROWS the oldest go first. Knows tables only.
import type { TrackEvent } from '../predict/track-record.js';
import type { Db, Statement } from './db.js';

/** Enough for years of faults on a line; the metrics keep counting beyond it. */
export const MAX_ROWS = 10_000;

export interface TrackRow {
  asset: string;
  line: string | null;
  model_version: string;
  kind: 'fault' | 'false_alarm';
  ts: number;
  horizon_s: number;
  warning_lead_s: number | null;
  alarm_lead_s: number | null;
  predictions: number;
  mae_s: number | null;
  rmse_s: number | null;
  bias_s: number | null;
  coverage_s: number | null;
}

/** Counts and means over a set of rows (everything, one asset and model). */
export interface TrackTotals {
  faults: number;
  /** Faults with no warning in the horizon before them. */
  missed: number;
  /** Faults with no alarm in the horizon before them. */
  missed_alarm: number;
  false_alarms: number;
  mean_warning_lead_s: number | null;
  mean_alarm_lead_s: number | null;
  /** Mean absolute error of the time-to-fault predictions in the horizons before faults. */
  mae_s: number | null;
}

export interface TrackGroup extends TrackTotals {
  asset: string;
  line: string | null;
  model_version: string;
}

export interface TrackRecordStatus extends TrackTotals {
  by_asset: TrackGroup[];
  recent: TrackRow[];
}

const TOTALS = `
  count(*) FILTER (WHERE kind = 'fault') AS faults,
  count(*) FILTER (WHERE kind = 'fault' AND warning_lead_s IS NULL) AS missed,
  count(*) FILTER (WHERE kind = 'fault' AND alarm_lead_s IS NULL) AS missed_alarm,
  count(*) FILTER (WHERE kind = 'false_alarm') AS false_alarms,
  avg(warning_lead_s) AS mean_warning_lead_s,
  avg(alarm_lead_s) AS mean_alarm_lead_s,
  sum(mae_s * predictions) / nullif(sum(predictions) FILTER (WHERE kind = 'fault'), 0) AS mae_s`;

const ROW = `a.name AS asset, a.line, t.model_version, t.kind, t.ts, t.horizon_s, t.warning_lead_s, t.alarm_lead_s,
  t.predictions, t.mae_s, t.rmse_s, t.bias_s, t.coverage_s`;

export class TrackRecordStore {
  private readonly insert: Statement<[string, string, number, number, number | null, number | null, number, number | null, number | null, number | null, number | null, string]>;
  private readonly trim: Statement<[number]>;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO track_record (asset_id, model_version, kind, ts, horizon_s, warning_lead_s, alarm_lead_s, predictions, mae_s, rmse_s, bias_s, coverage_s)
       SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM assets WHERE name = ?`,
    );
    this.trim = db.prepare('DELETE FROM track_record WHERE id <= (SELECT max(id) FROM track_record) - ?');
  }

  /** Stores what the track record settled; call inside a transaction. A redelivered fault is stored once. */
  append(events: readonly TrackEvent[]): void {
    for (const e of events) {
      if (e.kind === 'fault') {
        this.insert.run(e.modelVersion, 'fault', e.ts, e.horizonS, e.warningLeadS, e.alarmLeadS, e.predictions, e.maeS, e.rmseS, e.biasS, e.coverageS, e.asset);
      } else {
        this.insert.run(e.modelVersion, 'false_alarm', e.ts, e.horizonS, null, null, 0, null, null, null, null, e.asset);
      }
    }
    if (events.length > 0) this.trim.run(MAX_ROWS);
  }
}

export const EMPTY_TRACK_RECORD: TrackRecordStatus = {
  faults: 0,
  missed: 0,
  missed_alarm: 0,
  false_alarms: 0,
  mean_warning_lead_s: null,
  mean_alarm_lead_s: null,
  mae_s: null,
  by_asset: [],
  recent: [],
};

/**
 * The track record as the page and `faultline status` show it: totals, per asset and model, and the
 * latest rows. Empty for a buffer an older faultline wrote and no agent has migrated yet (read-only).
 */
export function readTrackRecord(db: Db, recent = 20): TrackRecordStatus {
  if (db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'track_record'").get() === undefined) return EMPTY_TRACK_RECORD;
  const totals = db.prepare(`SELECT ${TOTALS} FROM track_record`).get() as TrackTotals;
  const byAsset = db
    .prepare(
      `SELECT asset, line, model_version, ${TOTALS}
       FROM (SELECT t.*, a.name AS asset, a.line FROM track_record t JOIN assets a ON a.id = t.asset_id)
       GROUP BY asset, model_version ORDER BY asset, CAST(model_version AS INTEGER)`,
    )
    .all() as TrackGroup[];
  const rows = db.prepare(`SELECT ${ROW} FROM track_record t JOIN assets a ON a.id = t.asset_id ORDER BY t.ts DESC, t.id DESC LIMIT ?`).all(recent) as TrackRow[];
  return { ...totals, by_asset: byAsset, recent: rows };
}

/** Deletes up to `limit` rows older than `cutoff` (event time, ms), for retention; returns how many. */
export function pruneTrackRecord(db: Db, cutoff: number, limit: number): number {
  return db.prepare<[number, number]>('DELETE FROM track_record WHERE id IN (SELECT id FROM track_record WHERE ts < ? LIMIT ?)').run(cutoff, limit).changes;
}
