// Decides when an asset gets a prediction and makes it: at most one per `min_interval` of event time,
// never stamped older than one already made, from the champion model and the asset's live window.
// Pure: no clock, no I/O; the caller publishes what it returns.
import { predictAt, type Prediction, type ServingModel } from '../learn/model.js';
import { nextLevel, type Level, type LevelThresholds } from './levels.js';
import type { LiveWindows } from './live-windows.js';

export interface PredictorOptions {
  minIntervalMs: number;
  levels: LevelThresholds;
  contributions: number;
}

export interface AssetPrediction {
  asset: string;
  line: string | null;
  prediction: Prediction;
  level: Level;
  modelVersion: string;
  horizonS: number;
}

export class Predictor {
  private readonly lastTs = new Map<string, number>();
  private readonly levels = new Map<string, Level>();
  private readonly waiting = new Map<string, string>();

  constructor(private readonly options: PredictorOptions) {}

  /** Predictions at each of `times` (ascending event times of new readings) that is due. */
  predict(model: ServingModel | null, windows: LiveWindows, asset: string, times: readonly number[]): AssetPrediction[] {
    const out: AssetPrediction[] = [];
    const view = windows.view(asset);
    if (!model || !view) {
      this.waiting.set(asset, model ? 'no readings yet' : 'no model yet: collecting labelled history');
      return out;
    }
    for (const t of times) {
      const last = this.lastTs.get(asset) ?? -Infinity;
      if (t < last + this.options.minIntervalMs || t <= last) continue;
      const result = predictAt(model, view.series, t, view.historyStart, this.options.contributions);
      if ('missing' in result) {
        this.waiting.set(asset, `window not full yet (missing ${result.missing.slice(0, 3).join(', ')}${result.missing.length > 3 ? ', …' : ''})`);
        continue;
      }
      const level = nextLevel(this.levels.get(asset) ?? 0, result.prediction.risk, this.options.levels);
      this.levels.set(asset, level);
      this.lastTs.set(asset, t);
      this.waiting.delete(asset);
      out.push({ asset, line: view.line, prediction: result.prediction, level, modelVersion: model.version, horizonS: model.horizonS });
    }
    return out;
  }

  /** Why an asset has no recent prediction, or null when it has one. */
  whyNot(asset: string): string | null {
    return this.waiting.get(asset) ?? null;
  }

  /** Each asset's latest level (for status and the demo). */
  level(asset: string): Level | undefined {
    return this.levels.get(asset);
  }
}
