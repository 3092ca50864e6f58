// Decides when an asset gets a prediction and makes it: at most one per `min_interval` of event time,
// never stamped older than one already made, from the champion model and the asset's feature stream.
// Pure: no clock, no I/O; the caller publishes what it returns.
import { columnsOf, predictAt, type Prediction, type ServingModel } from '../learn/model.js';
import { nextLevel, type Level, type LevelThresholds } from './levels.js';
import type { LiveFeatures } from './live-features.js';

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
  private columns: { model: ServingModel; columns: number[] } | null = null;

  constructor(private readonly options: PredictorOptions) {}

  /** The prediction at `t` (the time of the asset's newest readings), if one is due. */
  predict(model: ServingModel | null, live: LiveFeatures, asset: string, t: number): AssetPrediction | null {
    const entry = live.get(asset);
    if (!model || !entry) {
      this.waiting.set(asset, model ? 'no readings yet' : 'no model yet: collecting labelled history');
      return null;
    }
    const last = this.lastTs.get(asset) ?? -Infinity;
    if (t < last + this.options.minIntervalMs || t <= last) return null;
    const result = predictAt(model, entry.stream, t, this.options.contributions, this.columnsOf(model));
    if ('missing' in result) {
      this.waiting.set(asset, `waiting for ${result.missing.slice(0, 3).join(', ')}${result.missing.length > 3 ? ', …' : ''}`);
      return null;
    }
    const level = nextLevel(this.levels.get(asset) ?? 0, result.prediction.risk, this.options.levels);
    this.levels.set(asset, level);
    this.lastTs.set(asset, t);
    this.waiting.delete(asset);
    return { asset, line: entry.line, prediction: result.prediction, level, modelVersion: model.version, horizonS: model.horizonS };
  }

  /** Why an asset has no recent prediction, or null when it has one. */
  whyNot(asset: string): string | null {
    return this.waiting.get(asset) ?? null;
  }

  /** Each asset's latest level (for status and the demo). */
  level(asset: string): Level | undefined {
    return this.levels.get(asset);
  }

  private columnsOf(model: ServingModel): number[] {
    if (this.columns?.model !== model) this.columns = { model, columns: columnsOf(model) };
    return this.columns.columns;
  }
}
