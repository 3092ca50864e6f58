// The recent readings of each asset, kept for the sensors the serving model needs, plus where each
// asset's history starts since its last fault (the full-window rule). Pure: data in, data out.
import { lowerBound, upperBound } from '../learn/labels.js';
import type { SensorSeries } from '../learn/types.js';

/** A Series this module inserts into and trims: plain arrays, a few minutes of readings. */
interface Readings {
  ts: number[];
  value: number[];
}

interface AssetWindow {
  line: string | null;
  series: Map<string, Readings>;
  /** Last fault seen; readings at or before it belong to the previous episode. */
  lastFault: number;
  /** First reading after the last fault (Infinity until one arrives). */
  historyStart: number;
  newest: number;
}

export class LiveWindows {
  private readonly assets = new Map<string, AssetWindow>();

  /**
   * @param sensors the sensors to keep points for (the model's); others only move the bounds
   * @param keepMs how much history to keep behind each asset's newest reading
   */
  constructor(
    private readonly sensors: ReadonlySet<string>,
    private readonly keepMs: number,
  ) {}

  add(asset: string, line: string | null, sensor: string, ts: number, value: number): void {
    const w = this.window(asset, line);
    if (ts <= w.lastFault) return; // a late reading from before the fault: not this episode
    if (ts < w.historyStart) w.historyStart = ts;
    if (ts > w.newest) w.newest = ts;
    if (!this.sensors.has(sensor)) return;
    let readings = w.series.get(sensor);
    if (!readings) w.series.set(sensor, (readings = { ts: [], value: [] }));
    insertSorted(readings, ts, value);
    this.trim(w, readings);
  }

  /** A fault at `ts` closes the asset's episode: the next one starts with the next reading. */
  fault(asset: string, line: string | null, ts: number): void {
    const w = this.window(asset, line);
    if (ts <= w.lastFault) return;
    w.lastFault = ts;
    w.historyStart = Infinity;
    for (const [sensor, readings] of w.series) {
      dropFirst(readings, upperBound(readings.ts, ts));
      const first = readings.ts[0];
      if (first === undefined) w.series.delete(sensor);
      else if (first < w.historyStart) w.historyStart = first;
    }
  }

  /**
   * Seeds an asset from the buffer (on start or when a new model arrives). Has the same effect
   * as adding each reading, but a sensor without readings yet takes its series in one copy: a
   * new model arrives while ingest runs, and seeding 150k readings one add at a time held the
   * event loop for 26 ms (bench:retrain-ingest).
   */
  seed(asset: string, line: string | null, historyStart: number, lastFault: number, series: SensorSeries): void {
    const w = this.window(asset, line);
    w.lastFault = Math.max(w.lastFault, lastFault);
    w.historyStart = Math.min(w.historyStart, historyStart);
    for (const [sensor, { ts, value }] of series) {
      const from = upperBound(ts, w.lastFault); // readings up to the fault are not this episode's
      if (w.series.has(sensor)) {
        for (let i = from; i < ts.length; i++) this.add(asset, line, sensor, ts[i] as number, value[i] as number);
        continue;
      }
      if (from === ts.length) continue;
      w.historyStart = Math.min(w.historyStart, ts[from] as number);
      w.newest = Math.max(w.newest, ts[ts.length - 1] as number);
      if (!this.sensors.has(sensor)) continue;
      // Sorted and unique (the Series contract), so the copy is already what insertSorted makes.
      const readings = { ts: Array.prototype.slice.call(ts, from) as number[], value: Array.prototype.slice.call(value, from) as number[] };
      w.series.set(sensor, readings);
      this.trim(w, readings);
    }
  }

  /** True when these windows keep exactly `sensors` over `keepMs`, so a model with those needs can use them as they are. */
  keeps(sensors: ReadonlySet<string>, keepMs: number): boolean {
    return keepMs === this.keepMs && sensors.size === this.sensors.size && [...sensors].every((s) => this.sensors.has(s));
  }

  has(asset: string): boolean {
    return this.assets.has(asset);
  }

  list(): string[] {
    return [...this.assets.keys()];
  }

  view(asset: string): { line: string | null; series: SensorSeries; historyStart: number; newest: number } | null {
    const w = this.assets.get(asset);
    return w ? { line: w.line, series: w.series, historyStart: w.historyStart, newest: w.newest } : null;
  }

  /** Drops the readings older than keepMs behind the asset's newest reading. */
  private trim(w: AssetWindow, readings: Readings): void {
    const horizon = w.newest - this.keepMs;
    if (readings.ts[0]! < horizon) dropFirst(readings, lowerBound(readings.ts, horizon));
  }

  private window(asset: string, line: string | null): AssetWindow {
    let w = this.assets.get(asset);
    if (!w) {
      w = { line, series: new Map(), lastFault: -Infinity, historyStart: Infinity, newest: -Infinity };
      this.assets.set(asset, w);
    }
    if (line !== null) w.line = line;
    return w;
  }
}

/** Keeps readings sorted by ts; a redelivered reading (same ts) is kept once. */
function insertSorted(readings: Readings, ts: number, value: number): void {
  const last = readings.ts[readings.ts.length - 1];
  if (last === undefined || ts > last) {
    readings.ts.push(ts);
    readings.value.push(value);
    return;
  }
  const index = lowerBound(readings.ts, ts);
  if (readings.ts[index] === ts) return;
  readings.ts.splice(index, 0, ts);
  readings.value.splice(index, 0, value);
}

/** Removes the first `count` readings. */
function dropFirst(readings: Readings, count: number): void {
  readings.ts.splice(0, count);
  readings.value.splice(0, count);
}
