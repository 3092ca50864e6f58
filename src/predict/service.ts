// Live prediction: follows the champion model in the registry, keeps each asset's feature stream,
// and turns every durable batch of readings into the predictions that are due. Emits 'model'
// (a newly loaded champion) and 'prediction' (each one made); publishing is the listeners' job.
import { EventEmitter } from 'node:events';
import type { Config } from '../config/schema.js';
import { FeatureStream } from '../learn/feature-stream.js';
import { predictAt, servingModelOf, type ServingModel } from '../learn/model.js';
import { normalizerOf } from '../learn/normalizer.js';
import { recipeHash } from '../learn/recipe.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { Batch, FaultRow, ReadingRow } from '../store/ingest-batch.js';
import type { ModelRegistry, StoredModel as StoredModelOf } from '../store/models.js';
import type { ModelCard } from '../train/card.js';
import { RecentHistory, type BufferedAsset } from '../store/recent.js';
import { nextLevel } from './levels.js';
import { LiveFeatures } from './live-features.js';
import { Predictor, type AssetPrediction } from './predictor.js';


/** A registry entry as the trainer stores it: its card is a ModelCard. */
type StoredModel = StoredModelOf<ModelCard>;
const WATCH_EVERY_MS = 2_000;
/** Seeding a new model's windows yields the event loop once a turn has taken this long; ingest runs between. */
const SEED_BUDGET_MS = 2;

/** A new champion whose streams are being seeded from the buffer; the previous model serves meanwhile. */
interface Loading {
  readonly stored: StoredModel;
  readonly model: ServingModel;
  readonly live: LiveFeatures;
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
  private live: LiveFeatures | null = null;
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
   * Loads the registry's champion if it changed; call after a retrain to skip the wait. A model with
   * another recipe than the serving one starts serving once its streams are seeded, `seedBudgetMs`
   * of work per turn of the event loop: seeding 150k readings in one go held ingest for 24 ms.
   */
  checkChampion(seedBudgetMs: number = this.seedBudgetMs): void {
    let current: StoredModel | null;
    let model: ServingModel | null;
    let assets: BufferedAsset[];
    try {
      const wanted = this.loading?.stored.version ?? this.stored?.version ?? null;
      if (this.options.registry.championVersion() === wanted) return;
      current = this.options.registry.champion<ModelCard>();
      model = current === null ? null : servingModelOf(current.params);
      assets = this.recent.assets();
    } catch (error) {
      this.options.log.error({ err: error }, 'cannot read the champion or the assets from the buffer');
      return;
    }
    this.cancelLoading();
    if (current === null || model === null) {
      this.serve(null, null, null);
      return;
    }
    const hash = recipeHash(model.recipe);
    if (this.live?.recipeHash === hash) {
      // The same recipe (the usual scheduled retrain): the streams onBatch kept current serve as they are.
      this.serve(current, model, this.live);
      return;
    }
    const pending = new Map(assets.map((a) => [a.name, a]));
    const loading: Loading = { stored: current, model, live: new LiveFeatures(hash, model.recipe, normalizerOf(model.recipe)), pending, timer: null };
    this.loading = loading;
    // At start nothing is being ingested yet; later, the turn that stored the model has done enough.
    if (seedBudgetMs === Infinity) this.seedSome(loading, seedBudgetMs);
    else loading.timer = setImmediate(() => this.seedSome(loading, seedBudgetMs));
  }

  /** Feeds a durable batch: updates the streams and makes the predictions that are due, in event time. */
  onBatch(batch: Batch): void {
    // Without a model there is nothing to predict; the streams are seeded from the buffer when one
    // arrives, so ingest at full speed costs nothing here.
    const loading = this.loading;
    if (!this.model && !loading) return;
    const byAsset = new Map<string, { readings: ReadingRow[]; faults: FaultRow[] }>();
    const of = (asset: string): { readings: ReadingRow[]; faults: FaultRow[] } => {
      let entry = byAsset.get(asset);
      if (!entry) byAsset.set(asset, (entry = { readings: [], faults: [] }));
      return entry;
    };
    for (const r of batch.readings) of(r.asset).readings.push(r);
    for (const f of batch.faults) of(f.asset).faults.push(f);
    for (const [asset, { readings, faults }] of byAsset) {
      // An asset still pending is read from the buffer later, this batch included.
      if (loading && !loading.pending.has(asset)) walk(loading.live, asset, readings, faults, () => undefined);
      const { model, live } = this;
      if (model && live) {
        walk(live, asset, readings, faults, (ts) => {
          const prediction = this.predictor.predict(model, live, asset, ts);
          if (prediction) this.emit('prediction', prediction);
        });
      }
    }
  }

  /** Why an asset has no prediction right now, or null. */
  whyNot(asset: string): string | null {
    if (!this.model) return 'no model yet: collecting labelled history';
    return this.predictor.whyNot(asset);
  }

  /** A prediction from the asset's live stream, at its newest reading, for POST /v1/predict. Not published. */
  predictBuffered(asset: string): AssetPrediction {
    const model = this.requireModel();
    const entry = this.live?.get(asset);
    if (!entry) throw new PredictError(`unknown asset "${asset}": no readings from it since the model was loaded`, 404);
    return this.oneOff(model, asset, entry.line, entry.stream, entry.stream.newest);
  }

  /** A prediction from readings given in the request, for POST /v1/predict: its rows are one episode. */
  predictGiven(asset: string, line: string | null, rows: ReadonlyArray<{ ts: number; values: Record<string, number> }>): AssetPrediction {
    const model = this.requireModel();
    const stream = new FeatureStream(model.recipe, normalizerOf(model.recipe));
    const sorted = [...rows].sort((a, b) => a.ts - b.ts);
    for (const row of sorted) stream.push(row.ts, Object.entries(row.values));
    return this.oneOff(model, asset, line, stream, stream.newest);
  }

  private oneOff(model: ServingModel, asset: string, line: string | null, stream: FeatureStream, t: number): AssetPrediction {
    const result = predictAt(model, stream, t, this.options.predictions.contributions);
    if ('missing' in result) {
      throw new PredictError(
        `the window is not full: model ${model.version} needs ${model.recipe.windowMs / 1000} s of readings up to ts with ${result.missing.slice(0, 5).join(', ')}`,
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

  private seedSome(loading: Loading, budgetMs: number): void {
    const until = performance.now() + budgetMs;
    const { recipe } = loading.model;
    const names = new Set([...recipe.sensors, ...recipe.conditions]);
    try {
      for (const [name, asset] of loading.pending) {
        const recent = this.recent.of(asset, names, recipe.windowMs, seedSpanMs(loading.model));
        if (Number.isFinite(recent.lastFault)) loading.live.fault(recent.asset, recent.line, recent.lastFault);
        for (const [ts, readings] of recent.events) loading.live.push(recent.asset, recent.line, ts, readings);
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
      loading.timer = setImmediate(() => this.seedSome(loading, budgetMs));
      return;
    }
    this.loading = null;
    this.serve(loading.stored, loading.model, loading.live);
  }

  private cancelLoading(): void {
    if (this.loading?.timer) clearImmediate(this.loading.timer);
    this.loading = null;
  }

  private serve(current: StoredModel | null, model: ServingModel | null, live: LiveFeatures | null): void {
    this.stored = current;
    this.model = model;
    this.live = live;
    if (current && model) {
      this.options.log.info({ version: current.version, rmse: model.rmse }, 'serving model');
      this.emit('model', current);
    }
  }
}

/**
 * How far back a new model's streams are seeded: six of the longest half-lives (the weight left
 * out is under 2^−6 of an ewma, and fades from there), or a little more than the window for window
 * statistics. The episode's first window is read besides, for the baseline.
 */
function seedSpanMs(model: ServingModel): number {
  const { recipe } = model;
  return Math.max(6 * Math.max(0, ...recipe.halfLivesMs), 1.25 * recipe.windowMs);
}

/**
 * Walks one asset's new readings in event time, a timestamp at a time, calling `each` after the
 * readings at each. A fault at F is applied after the readings at F, which belong to the episode it ends.
 */
function walk(live: LiveFeatures, asset: string, readings: ReadingRow[], faults: FaultRow[], each: (ts: number) => void): void {
  if (!isSorted(readings)) readings.sort((a, b) => a.ts - b.ts);
  if (!isSorted(faults)) faults.sort((a, b) => a.ts - b.ts);
  let f = 0;
  let i = 0;
  while (i < readings.length) {
    const first = readings[i] as ReadingRow;
    const ts = first.ts;
    for (; f < faults.length && (faults[f] as FaultRow).ts < ts; f++) live.fault(asset, (faults[f] as FaultRow).line, (faults[f] as FaultRow).ts);
    const at: Array<readonly [string, number]> = [];
    for (; i < readings.length && (readings[i] as ReadingRow).ts === ts; i++) at.push([(readings[i] as ReadingRow).sensor, (readings[i] as ReadingRow).value]);
    live.push(asset, first.line, ts, at);
    each(ts);
  }
  for (; f < faults.length; f++) live.fault(asset, (faults[f] as FaultRow).line, (faults[f] as FaultRow).ts);
}

function isSorted(rows: ReadonlyArray<{ ts: number }>): boolean {
  for (let i = 1; i < rows.length; i++) if ((rows[i] as { ts: number }).ts < (rows[i - 1] as { ts: number }).ts) return false;
  return true;
}
