// Reads the recent past of every asset for live prediction: where its current episode starts, its
// last fault, and its last few minutes of the sensors a model needs. Read-only, index-bound queries.
import type { Series } from '../learn/types.js';
import type { Db } from './db.js';

export interface RecentAsset {
  asset: string;
  line: string | null;
  /** Last fault, or -Infinity. */
  lastFault: number;
  /** First reading after the last fault, or Infinity when there is none yet. */
  historyStart: number;
  series: Map<string, Series>;
}

export function recentHistory(db: Db, sensors: readonly string[], keepMs: number): RecentAsset[] {
  const assets = db.prepare('SELECT id, name, line FROM assets').all() as Array<{ id: number; name: string; line: string | null }>;
  const seriesOf = db.prepare<[number]>('SELECT id, sensor, last_ts FROM series WHERE asset_id = ?');
  const lastFault = db.prepare<[number]>('SELECT max(ts) FROM faults WHERE asset_id = ?').pluck();
  const firstAfter = db.prepare<[number, number]>('SELECT min(ts) FROM readings WHERE series_id = ? AND ts > ?').pluck();
  const times = db.prepare<[number, number]>('SELECT ts FROM readings WHERE series_id = ? AND ts >= ? ORDER BY ts').pluck();
  const values = db.prepare<[number, number]>('SELECT value FROM readings WHERE series_id = ? AND ts >= ? ORDER BY ts').pluck();
  const wanted = new Set(sensors);

  return assets.map((a) => {
    const series = seriesOf.all(a.id) as Array<{ id: number; sensor: string; last_ts: number | null }>;
    const fault = (lastFault.get(a.id) as number | null) ?? -Infinity;
    const newest = Math.max(...series.map((s) => s.last_ts ?? -Infinity));
    let historyStart = Infinity;
    const recent = new Map<string, Series>();
    for (const s of series) {
      const first = firstAfter.get(s.id, Number.isFinite(fault) ? fault : Number.MIN_SAFE_INTEGER) as number | null;
      if (first !== null && first < historyStart) historyStart = first;
      if (!wanted.has(s.sensor) || !Number.isFinite(newest)) continue;
      const from = Math.max(newest - keepMs, Number.isFinite(fault) ? fault + 1 : Number.MIN_SAFE_INTEGER);
      // Readings are written only through this connection, and nothing runs between these two
      // synchronous reads, so the columns line up.
      recent.set(s.sensor, { ts: times.all(s.id, from) as number[], value: values.all(s.id, from) as number[] });
    }
    return { asset: a.name, line: a.line, lastFault: fault, historyStart, series: recent };
  });
}
