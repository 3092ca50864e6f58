// Reads the recent past of an asset for live prediction: its last fault, the first readings of its
// current episode and its latest readings of the sensors a model needs, merged in time order.
// Read-only, index-bound queries.
import { mergeByTime } from '../learn/merge.js';
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
  /** Last fault, or −Infinity. */
  lastFault: number;
  /** The episode's first `firstMs` and its last `spanMs` of readings, one event per timestamp. */
  events: Array<readonly [number, Array<readonly [string, number]>]>;
}

const MIN_TS = Number.MIN_SAFE_INTEGER;

export class RecentHistory {
  private readonly st: {
    assets: Statement;
    series: Statement<[number]>;
    lastFault: Statement<[number]>;
    firstAfter: Statement<[number, number]>;
    times: Statement<[number, number, number]>;
    values: Statement<[number, number, number]>;
  };

  constructor(db: Db) {
    this.st = {
      assets: db.prepare('SELECT id, name, line FROM assets'),
      series: db.prepare<[number]>('SELECT id, sensor, last_ts FROM series WHERE asset_id = ?'),
      lastFault: db.prepare<[number]>('SELECT max(ts) FROM faults WHERE asset_id = ?').pluck(),
      firstAfter: db.prepare<[number, number]>('SELECT min(ts) FROM readings WHERE series_id = ? AND ts > ?').pluck(),
      times: db.prepare<[number, number, number]>('SELECT ts FROM readings WHERE series_id = ? AND ts BETWEEN ? AND ? ORDER BY ts').pluck(),
      values: db.prepare<[number, number, number]>('SELECT value FROM readings WHERE series_id = ? AND ts BETWEEN ? AND ? ORDER BY ts').pluck(),
    };
  }

  /** Every asset the buffer has heard from. */
  assets(): BufferedAsset[] {
    return this.st.assets.all() as BufferedAsset[];
  }

  /**
   * The asset's current episode as a feature stream needs it to start: its first `firstMs` (the
   * baseline) and its last `spanMs` behind the newest reading of `names` (the running features).
   */
  of(asset: BufferedAsset, names: ReadonlySet<string>, firstMs: number, spanMs: number): RecentAsset {
    const { st } = this;
    const fault = (st.lastFault.get(asset.id) as number | null) ?? -Infinity;
    const after = Number.isFinite(fault) ? fault : MIN_TS;
    const mine = (st.series.all(asset.id) as Array<{ id: number; sensor: string; last_ts: number | null }>).filter((s) => names.has(s.sensor));
    const newest = Math.max(...mine.map((s) => s.last_ts ?? -Infinity));
    const starts = mine.map((s) => (st.firstAfter.get(s.id, after) as number | null) ?? Infinity);
    const start = Math.min(...starts);
    const series = new Map<string, Series>();
    if (Number.isFinite(start) && Number.isFinite(newest)) {
      const recentFrom = Math.max(newest - spanMs, start);
      for (const s of mine) {
        // Readings are written only through this connection, and nothing runs between these
        // synchronous reads, so the columns line up.
        const read = (from: number, to: number): [number[], number[]] => [st.times.all(s.id, from, to) as number[], st.values.all(s.id, from, to) as number[]];
        const gap = recentFrom > start + firstMs;
        const [headTs, headValues] = gap ? read(start, start + firstMs - 1) : [[], []];
        const [tailTs, tailValues] = read(gap ? recentFrom : start, newest);
        series.set(s.sensor, { ts: [...headTs, ...tailTs], value: [...headValues, ...tailValues] });
      }
    }
    return { asset: asset.name, line: asset.line, lastFault: fault, events: [...mergeByTime(series)] };
  }
}
