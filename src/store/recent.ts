// Reads the recent past of an asset for live prediction: where its current episode starts, its
// last fault, and its last few minutes of the sensors a model needs. Read-only, index-bound queries.
import type { Series } from '../learn/types.js';
import type { Db, Statement } from './db.js';

export interface BufferedAsset {
  readonly id: number;
  readonly name: string;
  readonly line: string | null;
}

export interface RecentAsset {
  asset: string;
  line: string | null;
  /** Last fault, or -Infinity. */
  lastFault: number;
  /** First reading after the last fault, or Infinity when there is none yet. */
  historyStart: number;
  series: Map<string, Series>;
}

export class RecentHistory {
  private readonly st: {
    assets: Statement;
    series: Statement<[number]>;
    lastFault: Statement<[number]>;
    firstAfter: Statement<[number, number]>;
    times: Statement<[number, number]>;
    values: Statement<[number, number]>;
  };

  constructor(db: Db) {
    this.st = {
      assets: db.prepare('SELECT id, name, line FROM assets'),
      series: db.prepare<[number]>('SELECT id, sensor, last_ts FROM series WHERE asset_id = ?'),
      lastFault: db.prepare<[number]>('SELECT max(ts) FROM faults WHERE asset_id = ?').pluck(),
      firstAfter: db.prepare<[number, number]>('SELECT min(ts) FROM readings WHERE series_id = ? AND ts > ?').pluck(),
      times: db.prepare<[number, number]>('SELECT ts FROM readings WHERE series_id = ? AND ts >= ? ORDER BY ts').pluck(),
      values: db.prepare<[number, number]>('SELECT value FROM readings WHERE series_id = ? AND ts >= ? ORDER BY ts').pluck(),
    };
  }

  /** Every asset the buffer has heard from. */
  assets(): BufferedAsset[] {
    return this.st.assets.all() as BufferedAsset[];
  }

  /** The asset's recent past: the last `keepMs` of `sensors` behind its newest reading, this episode only. */
  of(asset: BufferedAsset, sensors: ReadonlySet<string>, keepMs: number): RecentAsset {
    const { st } = this;
    const series = st.series.all(asset.id) as Array<{ id: number; sensor: string; last_ts: number | null }>;
    const fault = (st.lastFault.get(asset.id) as number | null) ?? -Infinity;
    const newest = Math.max(...series.map((s) => s.last_ts ?? -Infinity));
    let historyStart = Infinity;
    const recent = new Map<string, Series>();
    for (const s of series) {
      const first = st.firstAfter.get(s.id, Number.isFinite(fault) ? fault : Number.MIN_SAFE_INTEGER) as number | null;
      if (first !== null && first < historyStart) historyStart = first;
      if (!sensors.has(s.sensor) || !Number.isFinite(newest)) continue;
      const from = Math.max(newest - keepMs, Number.isFinite(fault) ? fault + 1 : Number.MIN_SAFE_INTEGER);
      // Readings are written only through this connection, and nothing runs between these two
      // synchronous reads, so the columns line up.
      recent.set(s.sensor, { ts: st.times.all(s.id, from) as number[], value: st.values.all(s.id, from) as number[] });
    }
    return { asset: asset.name, line: asset.line, lastFault: fault, historyStart, series: recent };
  }
}
