// Reads what training needs from the buffer, one asset at a time: its fault times, its reading
// times, its readings as SensorSeries. Read-only queries; never writes; holds no asset in memory.
import type { AssetHistory } from '../learn/types.js';
import { mergeByTime } from '../learn/merge.js';
import type { Series } from '../learn/types.js';
import type { Db, Statement } from './db.js';

/** An asset as the registry of series knows it; small, so listing every asset is cheap. */
export interface AssetInfo {
  readonly id: number;
  readonly name: string;
  readonly line: string | null;
  /** Sensor name → series id. */
  readonly series: ReadonlyMap<string, number>;
}

/** Optional bounds on reading times, inclusive, in epoch ms. */
export interface TimeRange {
  readonly from?: number;
  readonly to?: number;
}

// JavaScript's default string order (UTF-16 code units), the order buildDataset sorts names in;
// SQLite's BINARY collation compares UTF-8 bytes, which differs for characters beyond U+FFFF.
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const MIN_TS = Number.MIN_SAFE_INTEGER;
const MAX_TS = Number.MAX_SAFE_INTEGER;

/**
 * The training view of the buffer. Every query walks the readings primary key (series_id, ts),
 * so reading one asset costs its own rows, never a scan of the table. Call `snapshot` around a
 * whole training run so every asset is read from one consistent state while ingest goes on (WAL).
 */
export class TrainingData {
  private readonly st: {
    assets: Statement;
    series: Statement<[number]>;
    faults: Statement<[number]>;
    times: Statement<[number, number, number]>;
    values: Statement<[number, number, number]>;
    lastTs: Statement<[number]>;
  };

  constructor(private readonly db: Db) {
    this.st = {
      assets: db.prepare('SELECT id, name, line FROM assets'),
      series: db.prepare<[number]>('SELECT id, sensor FROM series WHERE asset_id = ?'),
      faults: db.prepare<[number]>('SELECT ts FROM faults WHERE asset_id = ? ORDER BY ts').pluck(),
      times: db.prepare<[number, number, number]>('SELECT ts FROM readings WHERE series_id = ? AND ts BETWEEN ? AND ? ORDER BY ts').pluck(),
      values: db.prepare<[number, number, number]>('SELECT value FROM readings WHERE series_id = ? AND ts BETWEEN ? AND ? ORDER BY ts').pluck(),
      lastTs: db.prepare<[number]>('SELECT last_ts FROM series WHERE id = ?').pluck(),
    };
  }

  /**
   * Runs `fn` inside one read transaction: under WAL every read in it sees the same snapshot,
   * and writers are never blocked (they only keep the WAL from being checkpointed past it).
   */
  snapshot<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.exec('BEGIN');
    try {
      return fn();
    } finally {
      this.db.exec('COMMIT');
      // Between snapshots this reader pins no WAL frame: copy what it can back now, so that the
      // agent's next commit can restart the WAL instead of growing it for the whole retrain (bench:soak
      // saw 99 MB against a 64 MB journal_size_limit when back-to-back snapshots never left a gap).
      if (!this.db.readonly) this.db.pragma('wal_checkpoint(PASSIVE)');
    }
  }

  /** Every asset with its series, sorted by name (the order rows are built in). */
  assets(): AssetInfo[] {
    const rows = this.st.assets.all() as Array<{ id: number; name: string; line: string | null }>;
    return rows
      .map((a) => {
        const series = this.st.series.all(a.id) as Array<{ id: number; sensor: string }>;
        return { ...a, series: new Map(series.map((s) => [s.sensor, s.id])) };
      })
      .sort((a, b) => byName(a.name, b.name));
  }

  /** Every sensor name of any asset, sorted by name (the order feature columns are built in). */
  sensors(assets: readonly AssetInfo[] = this.assets()): string[] {
    const names = new Set<string>();
    for (const a of assets) for (const s of a.series.keys()) names.add(s);
    return [...names].sort(byName);
  }

  /** The asset's fault times, ascending. */
  faults(asset: AssetInfo): number[] {
    return this.st.faults.all(asset.id) as number[];
  }

  /** Distinct times at which any of `sensors` has a reading on this asset, ascending. */
  readingTimes(asset: AssetInfo, sensors: readonly string[], range: TimeRange = {}): number[] {
    const parts: number[][] = [];
    let total = 0;
    for (const sensor of sensors) {
      const id = asset.series.get(sensor);
      if (id === undefined) continue;
      const ts = this.st.times.all(id, range.from ?? MIN_TS, range.to ?? MAX_TS) as number[];
      parts.push(ts);
      total += ts.length;
    }
    const all = new Float64Array(total);
    let k = 0;
    for (const part of parts) for (const t of part) all[k++] = t;
    all.sort(); // numeric for a typed array, and far faster than merging with a comparator
    const out: number[] = [];
    for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i] as number);
    return out;
  }

  /** The asset's readings of `sensors` (each sorted by ts) and its faults, as the dataset takes them. */
  history(asset: AssetInfo, sensors: readonly string[], range: TimeRange = {}): AssetHistory {
    const series = new Map<string, Series>();
    for (const sensor of sensors) {
      const id = asset.series.get(sensor);
      if (id === undefined) continue;
      const from = range.from ?? MIN_TS;
      const to = range.to ?? MAX_TS;
      // Two single-column reads of the same key range, each copied into a Float64Array: the
      // driver's arrays die young, and a retrain holds 16 bytes per reading instead of an
      // object per reading (8M of them at 1M samples, which kept its collector busy).
      const ts = Float64Array.from(this.st.times.all(id, from, to) as number[]);
      const value = Float64Array.from(this.st.values.all(id, from, to) as number[]);
      if (value.length !== ts.length) throw new Error(`series ${id}: ${ts.length} times but ${value.length} values in one snapshot`);
      series.set(sensor, { ts, value });
    }
    return { asset: asset.name, series, faults: this.faults(asset) };
  }

  /** The newest reading of any of `names` on this asset, or −Infinity (from the series bounds: no scan). */
  newest(asset: AssetInfo, names: readonly string[]): number {
    let newest = -Infinity;
    for (const name of names) {
      const id = asset.series.get(name);
      if (id === undefined) continue;
      const last = this.st.lastTs.get(id) as number | null | undefined;
      if (last !== null && last !== undefined && last > newest) newest = last;
    }
    return newest;
  }

  /**
   * The readings of `names` with from < ts ≤ to, merged into one event per timestamp in time order:
   * what a feature stream takes. Holds the range's readings of one asset, not more.
   */
  *events(asset: AssetInfo, names: readonly string[], from: number, to: number): Generator<readonly [number, Array<readonly [string, number]>]> {
    const lo = Number.isFinite(from) ? Math.floor(from) + 1 : MIN_TS;
    const hi = Number.isFinite(to) ? Math.floor(to) : MAX_TS;
    if (hi < lo) return;
    const { series } = this.history(asset, names, { from: lo, to: hi });
    yield* mergeByTime(series);
  }

  /** Every asset's history in name order, one at a time, so memory holds one asset. */
  *histories(sensors?: readonly string[]): Generator<AssetHistory> {
    const assets = this.assets();
    const names = sensors ?? this.sensors(assets);
    for (const asset of assets) yield this.history(asset, names);
  }
}
