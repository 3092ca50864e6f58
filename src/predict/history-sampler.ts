// Which predictions the status page's history keeps: one a minute of event time per asset, and
// every change of level or model, so a day's plot has at most ~1,440 points an asset whatever the
// prediction rate, and no level change is lost. Pure.
import type { AssetPrediction } from './predictor.js';

export const HISTORY_STEP_MS = 60_000;

export class HistorySampler {
  private readonly last = new Map<string, { ts: number; level: number; version: string }>();

  keep(p: AssetPrediction): boolean {
    const last = this.last.get(p.asset);
    const ts = p.prediction.ts;
    if (last && ts - last.ts < HISTORY_STEP_MS && last.level === p.level && last.version === p.modelVersion) return false;
    this.last.set(p.asset, { ts, level: p.level, version: p.modelVersion });
    return true;
  }
}
