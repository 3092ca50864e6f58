// What the status page and the per-asset metrics show of the running agent, kept in memory: each
// asset's latest prediction, when it was last heard from, the ingest rate, and a feed of changes for
// the page's live stream. Bounded by the number of assets; fed by the record phase.
import type { AssetPrediction } from '../predict/predictor.js';
import type { TrackEvent } from '../predict/track-record.js';
import type { Batch } from '../store/ingest-batch.js';
import type { LatestPoint } from '../store/prediction-history.js';

export type LiveChange =
  | { kind: 'prediction'; prediction: AssetPrediction }
  | { kind: 'fault'; asset: string; ts: number }
  | { kind: 'record'; events: readonly TrackEvent[] };

/** One asset as the page lists it. */
export interface LiveAsset {
  asset: string;
  line: string | null;
  /** The latest prediction; at start-up, the newest stored one (without contributions) until a new one comes. */
  prediction: AssetPrediction | null;
  /** Wall time (ms) its last reading was stored, since the agent started. */
  seenAt: number | null;
}

/** Samples of the stored-readings counter behind the rate; one a second. */
const RATE_SAMPLES = 10;

export class LiveState {
  private readonly assets = new Map<string, LiveAsset>();
  private readonly listeners = new Set<(change: LiveChange) => void>();
  private readonly samples: Array<{ at: number; stored: number }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    seed: readonly LatestPoint[],
    horizonS: number | null,
    private readonly stored: () => number,
    private readonly clock: () => number = Date.now,
  ) {
    for (const p of seed) {
      const prediction: AssetPrediction = {
        asset: p.asset,
        line: p.line,
        // The history and contributions behind a stored point are not kept: the next prediction brings them.
        prediction: { ts: p.ts, timeToFaultS: p.timeToFaultS, risk: p.risk, contributions: [], historyS: NaN },
        level: p.level,
        modelVersion: p.modelVersion,
        horizonS: horizonS ?? 0,
      };
      this.assets.set(p.asset, { asset: p.asset, line: p.line, prediction, seenAt: null });
    }
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Calls `listener` with every change; returns the unsubscribe. */
  subscribe(listener: (change: LiveChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  prediction(p: AssetPrediction): void {
    const entry = this.entry(p.asset, p.line);
    entry.prediction = p;
    this.emit({ kind: 'prediction', prediction: p });
  }

  /** A durable batch: who was heard from, and its faults. */
  batch(batch: Batch): void {
    const now = this.clock();
    let previous: string | null = null;
    // Readings of one message sit together: one map update per run of the same asset.
    for (const r of batch.readings) {
      if (r.asset === previous) continue;
      previous = r.asset;
      this.entry(r.asset, r.line).seenAt = now;
    }
    for (const f of batch.faults) {
      this.entry(f.asset, f.line);
      this.emit({ kind: 'fault', asset: f.asset, ts: f.ts });
    }
  }

  record(events: readonly TrackEvent[]): void {
    if (events.length > 0) this.emit({ kind: 'record', events });
  }

  list(): LiveAsset[] {
    return [...this.assets.values()];
  }

  /** Readings stored per second over the last few seconds, or null before two samples. */
  readingsPerSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at === first.at) return null;
    return ((last.stored - first.stored) * 1000) / (last.at - first.at);
  }

  private entry(asset: string, line: string | null): LiveAsset {
    let entry = this.assets.get(asset);
    if (!entry) {
      entry = { asset, line, prediction: null, seenAt: null };
      this.assets.set(asset, entry);
    }
    return entry;
  }

  private sample(): void {
    this.samples.push({ at: this.clock(), stored: this.stored() });
    if (this.samples.length > RATE_SAMPLES) this.samples.shift();
  }

  private emit(change: LiveChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
