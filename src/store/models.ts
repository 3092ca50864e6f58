// The model registry: every trained model (champion, retired or rejected) with its card and the
// parameters live prediction loads, and the switch of champion. Knows tables, not training.
import { servingModelOf, type ServingModel } from '../learn/model.js';
import type { Db, Statement } from './db.js';
import { metaStore, type KeyValueStore } from './meta.js';

export type ModelStatus = 'champion' | 'retired' | 'rejected';

/** A card is JSON the trainer builds; the registry only fills in `version`. */
export interface CardJson {
  version: string | null;
}

export interface StoredModel<C extends CardJson = CardJson> {
  /** The integer primary key as a string ("7"), as payloads and the CLI show it. */
  readonly version: string;
  readonly trainedAt: number;
  readonly status: ModelStatus;
  readonly dataHash: string;
  readonly card: C;
  readonly params: ServingModel;
}

export interface NewModel<C extends CardJson> {
  readonly trainedAt: number;
  readonly dataHash: string;
  readonly card: C;
  readonly params: ServingModel;
  /** Champion when true (the previous one is retired), else stored as rejected. */
  readonly promote: boolean;
}

/** How a training run ended, in a technician's words. */
export interface TrainingRunSummary {
  at: string;
  reason: string;
  status: 'trained' | 'not_enough_data' | 'failed';
  /** "model 7 promoted", "has 120 labelled samples from 1 episode, needs ...", or the failure. */
  message: string;
}

const LAST_RUN_KEY = 'last_training_run';

export class UnknownModelError extends Error {
  override name = 'UnknownModelError';
}

/** `models use` of a model that failed its promotion gate, without `force`. */
export class RejectedModelError extends Error {
  override name = 'RejectedModelError';
}

interface Row {
  version: number;
  trained_at: number;
  status: ModelStatus;
  data_hash: string;
  card: string;
  params: string;
}

const COLUMNS = 'version, trained_at, status, data_hash, card, params';

function toModel<C extends CardJson>(row: Row): StoredModel<C> {
  return {
    version: String(row.version),
    trainedAt: row.trained_at,
    status: row.status,
    dataHash: row.data_hash,
    card: JSON.parse(row.card) as C,
    // A model stored by an earlier release is read as this release's format (learn/model.ts).
    params: servingModelOf(JSON.parse(row.params)),
  };
}

/** "7" → 7; null for anything that is not a version number. */
function versionNumber(version: string): number | null {
  return /^[1-9]\d{0,14}$/.test(version) ? Number(version) : null;
}

export class ModelRegistry {
  private readonly st: {
    next: Statement;
    retire: Statement;
    insert: Statement<[number, number, ModelStatus, string, string, string]>;
    champion: Statement;
    championVersion: Statement;
    get: Statement<[number]>;
    list: Statement;
    setStatus: Statement<[ModelStatus, number]>;
  };

  private readonly meta: KeyValueStore;

  constructor(private readonly db: Db) {
    this.meta = metaStore(db);
    this.st = {
      next: db.prepare('SELECT coalesce(max(version), 0) + 1 AS v FROM models').pluck(),
      retire: db.prepare("UPDATE models SET status = 'retired' WHERE status = 'champion'"),
      insert: db.prepare<[number, number, ModelStatus, string, string, string]>(
        'INSERT INTO models (version, trained_at, status, data_hash, card, params) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      champion: db.prepare(`SELECT ${COLUMNS} FROM models WHERE status = 'champion'`),
      championVersion: db.prepare("SELECT version FROM models WHERE status = 'champion'").pluck(),
      get: db.prepare<[number]>(`SELECT ${COLUMNS} FROM models WHERE version = ?`),
      list: db.prepare(`SELECT ${COLUMNS} FROM models ORDER BY version`),
      setStatus: db.prepare<[ModelStatus, number]>('UPDATE models SET status = ? WHERE version = ?'),
    };
  }

  /**
   * Stores a model under the next version and, when promoted, makes it the champion in the same
   * transaction. IMMEDIATE: the CLI and the agent may both store a model; neither may lose it.
   * Given a function, calls it inside the transaction with the current champion's version, so a
   * decision that depends on the champion cannot race a concurrent `models use`.
   */
  insert<C extends CardJson>(model: NewModel<C> | ((champion: string | null) => NewModel<C>)): StoredModel<C> {
    return this.db
      .transaction(() => {
        const m = typeof model === 'function' ? model(this.championVersion()) : model;
        const version = this.st.next.get() as number;
        const v = String(version);
        const card = { ...m.card, version: v };
        const params = { ...m.params, version: v };
        if (m.promote) this.st.retire.run();
        const status: ModelStatus = m.promote ? 'champion' : 'rejected';
        this.st.insert.run(version, m.trainedAt, status, m.dataHash, JSON.stringify(card), JSON.stringify(params));
        return { version: v, trainedAt: m.trainedAt, status, dataHash: m.dataHash, card, params };
      })
      .immediate();
  }

  /** The champion's version alone: cheap enough to poll. */
  championVersion(): string | null {
    const v = this.st.championVersion.get() as number | undefined;
    return v === undefined ? null : String(v);
  }

  champion<C extends CardJson = CardJson>(): StoredModel<C> | null {
    const row = this.st.champion.get() as Row | undefined;
    return row === undefined ? null : toModel<C>(row);
  }

  get<C extends CardJson = CardJson>(version: string): StoredModel<C> | null {
    const v = versionNumber(version);
    const row = v === null ? undefined : (this.st.get.get(v) as Row | undefined);
    return row === undefined ? null : toModel<C>(row);
  }

  /** Every model, oldest first. */
  list<C extends CardJson = CardJson>(): Array<StoredModel<C>> {
    return (this.st.list.all() as Row[]).map((row) => toModel<C>(row));
  }

  /**
   * Makes `version` the champion (roll back or forward); the champion it replaces becomes retired.
   * A rejected model failed its promotion gate: it is served only with `force`.
   */
  use<C extends CardJson = CardJson>(version: string, options: { force?: boolean } = {}): { model: StoredModel<C>; previous: string | null } {
    return this.db
      .transaction(() => {
        const target = this.get<C>(version);
        if (target === null) throw new UnknownModelError(`there is no model version ${version}; "faultline models" lists them`);
        const previous = this.championVersion();
        if (target.status === 'champion') return { model: target, previous };
        if (target.status === 'rejected' && options.force !== true) {
          throw new RejectedModelError(`model ${version} was rejected by its promotion gate (it did not beat the champion of its day on the held-out test period); pass --force to serve it anyway`);
        }
        this.st.retire.run();
        this.st.setStatus.run('champion', Number(version));
        return { model: { ...target, status: 'champion' as const }, previous };
      })
      .immediate();
  }

  /** Remembers how the latest training run ended, so `faultline status` can say why there is no model. */
  recordRun(run: TrainingRunSummary): void {
    this.meta.set(LAST_RUN_KEY, JSON.stringify(run));
  }

  lastRun(): TrainingRunSummary | null {
    const text = this.meta.get(LAST_RUN_KEY);
    return text === undefined ? null : (JSON.parse(text) as TrainingRunSummary);
  }
}
