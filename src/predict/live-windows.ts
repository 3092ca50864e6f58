// The recent readings of each asset, kept for the sensors the serving model needs, plus where each
// asset's history starts since its last fault (the full-window rule). Pure: data in, data out.
import type { Point, SensorSeries } from '../learn/types.js';

interface AssetWindow {
  line: string | null;
  series: Map<string, Point[]>;
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
    let points = w.series.get(sensor);
    if (!points) w.series.set(sensor, (points = []));
    insertSorted(points, ts, value);
    const horizon = w.newest - this.keepMs;
    if (points[0]!.ts < horizon) points.splice(0, lowerBound(points, horizon));
  }

  /** A fault at `ts` closes the asset's episode: the next one starts with the next reading. */
  fault(asset: string, line: string | null, ts: number): void {
    const w = this.window(asset, line);
    if (ts <= w.lastFault) return;
    w.lastFault = ts;
    w.historyStart = Infinity;
    for (const [sensor, points] of w.series) {
      const kept = points.filter((p) => p.ts > ts);
      if (kept.length > 0) w.series.set(sensor, kept);
      else w.series.delete(sensor);
      for (const p of kept) if (p.ts < w.historyStart) w.historyStart = p.ts;
    }
  }

  /** Seeds an asset from the buffer (on start or when a new model arrives). */
  seed(asset: string, line: string | null, historyStart: number, lastFault: number, series: ReadonlyMap<string, readonly Point[]>): void {
    const w = this.window(asset, line);
    w.lastFault = Math.max(w.lastFault, lastFault);
    w.historyStart = Math.min(w.historyStart, historyStart);
    for (const [sensor, points] of series) for (const p of points) this.add(asset, line, sensor, p.ts, p.value);
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

/** Keeps points sorted by ts; a redelivered reading (same ts) is kept once. */
function insertSorted(points: Point[], ts: number, value: number): void {
  const last = points[points.length - 1];
  if (!last || ts > last.ts) {
    points.push({ ts, value });
    return;
  }
  const index = lowerBound(points, ts);
  if (points[index]?.ts === ts) return;
  points.splice(index, 0, { ts, value });
}

function lowerBound(points: readonly Point[], ts: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
