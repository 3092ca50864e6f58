// Live prediction: follows the champion model in the registry, keeps each asset's recent readings,
// and turns every durable batch of readings into the predictions that are due. Emits 'model'
// (a newly loaded champion) and 'prediction' (each one made); publishing is the listeners' job.
import { EventEmitter } from 'node:events';
import type { Config } from '../config/schema.js';
import { predictAt, type ServingModel } from '../learn/model.js';
import { parseFeatureName } from '../learn/features.js';
import type { SensorSeries } from '../learn/types.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { Batch, FaultRow, ReadingRow } from '../store/ingest-batch.js';
import type { ModelRegistry, StoredModel } from '../store/models.js';
import { recentHistory } from '../store/recent.js';
import { nextLevel } from './levels.js';
import { LiveWindows } from './live-windows.js';
import { Predictor, type AssetPrediction } from './predictor.js';

const WATCH_EVERY_MS = 2_000;

export class PredictError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 503,
  ) {
    super(message);
  }
}

export class PredictionService extends EventEmitter {
  private model: ServingModel | null = null;
  private stored: StoredModel | null = null;
  private windows: LiveWindows = new LiveWindows(new Set(), 0);
  private readonly predictor: Predictor;
  private watcher: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: { config: Config; log: Logger; db: Db; registry: ModelRegistry },
  ) {
    super();
    const { predictions } = options.config;
    this.predictor = new Predictor({ minIntervalMs: predictions.min_interval, levels: predictions.levels, contributions: predictions.contributions });
  }

  get champion(): StoredModel | null {
    return this.stored;
  }

  start(): void {
    this.checkChampion();
    // The registry can change under us: `faultline train` or `faultline models use` from a shell.
    this.watcher = setInterval(() => this.checkChampion(), WATCH_EVERY_MS);
    this.watcher.unref();
  }

  stop(): void {
    if (this.watcher) clearInterval(this.watcher);
  }

  /** Loads the registry's champion if it changed; call after a retrain to skip the wait. */
  checkChampion(): void {
    let current: StoredModel | null;
    try {
      if (this.options.registry.championVersion() === (this.stored?.version ?? null)) return;
      current = this.options.registry.champion();
    } catch (error) {
      this.options.log.error({ err: error }, 'cannot read the model registry');
      return;
    }
    this.stored = current;
    this.model = current?.params ?? null;
    this.windows = this.windowsFor(this.model);
    if (current) {
      this.options.log.info({ version: current.version, rmse: current.params.rmse }, 'serving model');
      this.emit('model', current);
    }
  }

  /** Feeds a durable batch: updates windows and makes the predictions that are due, in event time. */
  onBatch(batch: Batch): void {
    // Without a model there is nothing to predict; the windows are seeded from the buffer when one
    // arrives, so ingest at full speed costs nothing here.
    if (!this.model) return;
    const byAsset = new Map<string, { readings: ReadingRow[]; faults: FaultRow[] }>();
    const of = (asset: string) => {
      let entry = byAsset.get(asset);
      if (!entry) byAsset.set(asset, (entry = { readings: [], faults: [] }));
      return entry;
    };
    for (const r of batch.readings) of(r.asset).readings.push(r);
    for (const f of batch.faults) of(f.asset).faults.push(f);
    for (const [asset, { readings, faults }] of byAsset) this.advance(asset, readings, faults);
  }

  /** Why an asset has no prediction right now, or null. */
  whyNot(asset: string): string | null {
    if (!this.model) return 'no model yet: collecting labelled history';
    return this.predictor.whyNot(asset);
  }

  /** A prediction from the asset's buffered window, for POST /v1/predict. Not published. */
  predictBuffered(asset: string): AssetPrediction {
    const model = this.requireModel();
    const view = this.windows.view(asset);
    if (!view) throw new PredictError(`unknown asset "${asset}": no readings from it since the model was loaded`, 404);
    return this.oneOff(model, asset, view.line, view.series, view.newest, view.historyStart);
  }

  /** A prediction from readings given in the request, for POST /v1/predict. */
  predictGiven(asset: string, line: string | null, rows: ReadonlyArray<{ ts: number; values: Record<string, number> }>): AssetPrediction {
    const model = this.requireModel();
    const series = new Map<string, { ts: number[]; value: number[] }>();
    for (const row of [...rows].sort((a, b) => a.ts - b.ts)) {
      for (const [sensor, value] of Object.entries(row.values)) {
        let readings = series.get(sensor);
        if (!readings) series.set(sensor, (readings = { ts: [], value: [] }));
        if (readings.ts[readings.ts.length - 1] !== row.ts) {
          readings.ts.push(row.ts);
          readings.value.push(value);
        }
      }
    }
    const times = rows.map((r) => r.ts);
    return this.oneOff(model, asset, line, series, Math.max(...times), Math.min(...times));
  }

  private oneOff(model: ServingModel, asset: string, line: string | null, series: SensorSeries, t: number, historyStart: number): AssetPrediction {
    const result = predictAt(model, series, t, historyStart, this.options.config.predictions.contributions);
    if ('missing' in result) {
      throw new PredictError(
        `the window is not full: model ${model.version} needs ${model.spec.windowMs / 1000} s of readings up to ts with ${result.missing.slice(0, 5).join(', ')}`,
        400,
      );
    }
    const level = nextLevel(this.predictor.level(asset) ?? 0, result.prediction.risk, this.options.config.predictions.levels);
    return { asset, line, prediction: result.prediction, level, modelVersion: model.version, horizonS: model.horizonS };
  }

  private requireModel(): ServingModel {
    if (!this.model) throw new PredictError('no model yet: faultline needs labelled history (readings before faults) and a training run', 503);
    return this.model;
  }

  /**
   * Walks one asset's new readings in event time, a timestamp at a time, offering each for a
   * prediction. A fault at F is applied after the readings at F, which belong to the episode it ends.
   */
  private advance(asset: string, readings: ReadingRow[], faults: FaultRow[]): void {
    if (!isSorted(readings)) readings.sort((a, b) => a.ts - b.ts);
    faults.sort((a, b) => a.ts - b.ts);
    let f = 0;
    let i = 0;
    while (i < readings.length) {
      const ts = readings[i]!.ts;
      for (; f < faults.length && faults[f]!.ts < ts; f++) this.windows.fault(asset, faults[f]!.line, faults[f]!.ts);
      for (; i < readings.length && readings[i]!.ts === ts; i++) {
        const r = readings[i]!;
        this.windows.add(asset, r.line, r.sensor, ts, r.value);
      }
      for (const prediction of this.predictor.predict(this.model, this.windows, asset, [ts])) this.emit('prediction', prediction);
    }
    for (; f < faults.length; f++) this.windows.fault(asset, faults[f]!.line, faults[f]!.ts);
  }

  private windowsFor(model: ServingModel | null): LiveWindows {
    if (!model) return new LiveWindows(new Set(), 0);
    const sensors = new Set(model.ridge.featureNames.map((name) => parseFeatureName(name)?.sensor ?? name));
    // Keep a little more than one window, so a late reading still finds its neighbours.
    const keepMs = model.spec.windowMs * 1.25;
    // While a model serves, onBatch keeps the live windows current. A new model with the same
    // needs (the usual scheduled retrain) takes them as they are: seeding from the buffer blocks
    // ingest for about 16 ms per 150k readings (bench:retrain-ingest).
    if (this.windows.keeps(sensors, keepMs)) return this.windows;
    const windows = new LiveWindows(sensors, keepMs);
    for (const recent of recentHistory(this.options.db, [...sensors], keepMs)) {
      windows.seed(recent.asset, recent.line, recent.historyStart, recent.lastFault, recent.series);
    }
    return windows;
  }
}

function isSorted(readings: readonly ReadingRow[]): boolean {
  for (let i = 1; i < readings.length; i++) if (readings[i]!.ts < readings[i - 1]!.ts) return false;
  return true;
}
