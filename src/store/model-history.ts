// The history of model versions as the status page lists it: each version's test RMSE beside the
// baseline's and the champion's of its day, and whether it was promoted and why. Reads the card's
// fields in SQL, so a long registry of large cards is not parsed whole on every page load.
import type { Db } from './db.js';

export interface VersionSummary {
  version: string;
  status: string;
  trained_at: number;
  rmse_s: number | null;
  baseline_rmse_s: number | null;
  champion_version: string | null;
  champion_rmse_s: number | null;
  promoted: boolean;
  promotion: string | null;
}

/** The latest `limit` versions, newest first. */
export function modelHistory(db: Db, limit: number): VersionSummary[] {
  const rows = db
    .prepare<[number]>(
      `SELECT CAST(version AS TEXT) AS version, status, trained_at,
         json_extract(card, '$.metrics.challenger.rmse') AS rmse_s,
         json_extract(card, '$.metrics.baseline.rmse') AS baseline_rmse_s,
         json_extract(card, '$.metrics.champion.version') AS champion_version,
         json_extract(card, '$.metrics.champion.rmse') AS champion_rmse_s,
         json_extract(card, '$.promoted') AS promoted,
         json_extract(card, '$.promotion') AS promotion
       FROM models ORDER BY version DESC LIMIT ?`,
    )
    .all(limit) as Array<Omit<VersionSummary, 'promoted'> & { promoted: number | null }>;
  return rows.map((r) => ({ ...r, promoted: r.promoted === 1 }));
}
