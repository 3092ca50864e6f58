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
import type { ModelRegistry, StoredModel as StoredModelOf } from '../store/models.js';
import type { ModelCard } from '../train/card.js';
import { RecentHistory, type BufferedAsset } from '../store/recent.js';
import { nextLevel } from './levels.js';
import { LiveWindows } from './live-windows.js';
import { Predictor, type AssetPrediction } from './predictor.js';


/** A registry entry as the trainer stores it: its card is a ModelCard. */
type StoredModel = StoredModelOf<ModelCard>;
const WATCH_EVERY_MS = 2_000;
/** Seeding a new model's windows yields the event loop once a turn has taken this long; ingest runs between. */
const SEED_BUDGET_MS = 2;

/** A new champion whose windows are being seeded from the buffer; the previous model serves meanwhile. */
interface Loading {
  readonly stored: StoredModel;
  readonly windows: LiveWindows;
  /** Assets not yet read from the buffer. Their new readings reach the buffer first, so they are read with it. */
  readonly pending: Map<string, BufferedAsset>;
  timer: NodeJS.Immediate | null;
}

export class PredictError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 503,
  ) {
    super(message);
  }
}

export interface PredictionEvents {
  prediction: [prediction: AssetPrediction];
  model: [model: StoredModel];
}

export class PredictionService extends EventEmitter<PredictionEvents> {
  private model: ServingModel | null = null;
  private stored: StoredModel | null = null;
  private windows: LiveWindows = new LiveWindows(new Set(), 0);
  private loading: Loading | null = null;
  private readonly predictor: Predictor;
  private readonly recent: RecentHistory;
  private readonly seedBudgetMs: number;
  private watcher: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: { predictions: Config['predictions']; log: Logger; db: Db; registry: ModelRegistry; seedBudgetMs?: number },
  ) {
    super();
    const { predictions } = options;
    this.predictor = new Predictor({ minIntervalMs: predictions.min_interval, levels: predictions.levels, contributions: predictions.contributions });
    this.recent = new RecentHistory(options.db);
    this.seedBudgetMs = options.seedBudgetMs ?? SEED_BUDGET_MS;
  }

  get champion(): StoredModel | null {
    return this.stored;
  }

  /** Serves the registry's champion at once: nothing is ingested yet, so its windows are seeded in one go. */
  start(): void {
    this.checkChampion(Infinity);
    // The registry can change under us: `faultline train` or `faultline models use` from a shell.
    this.watcher = setInterval(() => this.checkChampion(), WATCH_EVERY_MS);
    this.watcher.unref();
  }

  stop(): void {
    if (this.watcher) clearInterval(this.watcher);
    this.cancelLoading();
  }

  /**
   * Loads the registry's champion if it changed; call after a retrain to skip the wait. A model that
   * needs other windows than the serving one starts serving once they are seeded, `seedBudgetMs`
   * of work per turn of the event loop: seeding 150k readings in one go held ingest for 24 ms.
   */
  checkChampion(seedBudgetMs: number = this.seedBudgetMs): void {
    let current: StoredModel | null;
    let assets: BufferedAsset[];
    try {
      const wanted = this.loading?.stored.version ?? this.stored?.version ?? null;
      if (this.options.registry.championVersion() === wanted) return;
      current = this.options.registry.champion<ModelCard>();
      assets = this.recent.assets();
    } catch (error) {
      this.options.log.error({ err: error }, 'cannot read the champion or the assets from the buffer');
      return;
    }
    this.cancelLoading();
    if (current === null) {
      this.serve(null, new LiveWindows(new Set(), 0));
      return;
    }
    const needs = needsOf(current.params);
    if (this.windows.keeps(needs.sensors, needs.keepMs)) {
      // The same needs (the usual scheduled retrain): the windows onBatch kept current serve as they are.
      this.serve(current, this.windows);
      return;
    }
    const pending = new Map(assets.map((a) => [a.name, a]));
    const loading: Loading = { stored: current, windows: new LiveWindows(needs.sensors, needs.keepMs), pending, timer: null };
    this.loading = loading;
    // At start nothing is being ingested yet; later, the turn that stored the model has done enough.
    if (seedBudgetMs === Infinity) this.seedSome(loading, needs, seedBudgetMs);
    else loading.timer = setImmediate(() => this.seedSome(loading, needs, seedBudgetMs));
  }

  /** Feeds a durable batch: updates windows and makes the predictions that are due, in event time. */
  onBatch(batch: Batch): void {
    // Without a model there is nothing to predict; the windows are seeded from the buffer when one
    // arrives, so ingest at full speed costs nothing here.
    const loading = this.loading;
    if (!this.model && !loading) return;
    const byAsset = new Map<string, { readings: ReadingRow[]; faults: FaultRow[] }>();
    const of = (asset: string) => {
      let entry = byAsset.get(asset);
      if (!entry) byAsset.set(asset, (entry = { readings: [], faults: [] }));
      return entry;
    };
    for (const r of batch.readings) of(r.asset).readings.push(r);
    for (const f of batch.faults) of(f.asset).faults.push(f);
    for (const [asset, { readings, faults }] of byAsset) {
      // An asset still pending is read from the buffer later, this batch included.
      if (loading && !loading.pending.has(asset)) walk(loading.windows, asset, readings, faults, () => {});
      const model = this.model;
      if (model) {
        walk(this.windows, asset, readings, faults, (ts) => {
          for (const prediction of this.predictor.predict(model, this.windows, asset, [ts])) this.emit('prediction', prediction);
        });
      }
    }
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
    const result = predictAt(model, series, t, historyStart, this.options.predictions.contributions);
    if ('missing' in result) {
      throw new PredictError(
        `the window is not full: model ${model.version} needs ${model.spec.windowMs / 1000} s of readings up to ts with ${result.missing.slice(0, 5).join(', ')}`,
        400,
      );
    }
    const level = nextLevel(this.predictor.level(asset) ?? 0, result.prediction.risk, this.options.predictions.levels);
    return { asset, line, prediction: result.prediction, level, modelVersion: model.version, horizonS: model.horizonS };
  }

  private requireModel(): ServingModel {
    if (!this.model) throw new PredictError('no model yet: faultline needs labelled history (readings before faults) and a training run', 503);
    return this.model;
  }

  private seedSome(loading: Loading, needs: Needs, budgetMs: number): void {
    const until = performance.now() + budgetMs;
    try {
      for (const [name, asset] of loading.pending) {
        const recent = this.recent.of(asset, needs.sensors, needs.keepMs);
        loading.windows.seed(recent.asset, recent.line, recent.historyStart, recent.lastFault, recent.series);
        loading.pending.delete(name);
        if (performance.now() >= until) break;
      }
    } catch (error) {
      // The previous model keeps serving; the watcher tries again.
      this.options.log.error({ err: error, version: loading.stored.version }, 'cannot read recent readings for the new model');
      this.cancelLoading();
      return;
    }
    if (loading.pending.size > 0) {
      loading.timer = setImmediate(() => this.seedSome(loading, needs, budgetMs));
      return;
    }
    this.loading = null;
    this.serve(loading.stored, loading.windows);
  }

  private cancelLoading(): void {
    if (this.loading?.timer) clearImmediate(this.loading.timer);
    this.loading = null;
  }

  private serve(current: StoredModel | null, windows: LiveWindows): void {
    this.stored = current;
    this.model = current?.params ?? null;
    this.windows = windows;
    if (current) {
      this.options.log.info({ version: current.version, rmse: current.params.rmse }, 'serving model');
      this.emit('model', current);
    }
  }
}

interface Needs {
  readonly sensors: ReadonlySet<string>;
  /** A little more than one window, so a late reading still finds its neighbours. */
  readonly keepMs: number;
}

function needsOf(model: ServingModel): Needs {
  const sensors = new Set(model.ridge.featureNames.map((name) => parseFeatureName(name)?.sensor ?? name));
  return { sensors, keepMs: model.spec.windowMs * 1.25 };
}

/**
 * Walks one asset's new readings in event time, a timestamp at a time, calling `each` after the
 * readings at each. A fault at F is applied after the readings at F, which belong to the episode it ends.
 */
function walk(windows: LiveWindows, asset: string, readings: ReadingRow[], faults: FaultRow[], each: (ts: number) => void): void {
  if (!isSorted(readings)) readings.sort((a, b) => a.ts - b.ts);
  if (!isSorted(faults)) faults.sort((a, b) => a.ts - b.ts);
  let f = 0;
  let i = 0;
  while (i < readings.length) {
    const ts = readings[i]!.ts;
    for (; f < faults.length && faults[f]!.ts < ts; f++) windows.fault(asset, faults[f]!.line, faults[f]!.ts);
    for (; i < readings.length && readings[i]!.ts === ts; i++) {
      const r = readings[i]!;
      windows.add(asset, r.line, r.sensor, ts, r.value);
    }
    each(ts);
  }
  for (; f < faults.length; f++) windows.fault(asset, faults[f]!.line, faults[f]!.ts);
}

function isSorted(rows: ReadonlyArray<{ ts: number }>): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i]!.ts < rows[i - 1]!.ts) return false;
  return true;
}
