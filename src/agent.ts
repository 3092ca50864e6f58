// The lifecycle owner and the only module that knows every part: builds them from the config,
// starts them in phases, stops them in reverse order, and applies a reloaded config.
import { EventEmitter } from 'node:events';
import type { LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import type { Logger } from './log.js';
import { Metrics } from './http/metrics.js';
import { PHASES, metricsSnapshot, type Part, type Phase, type Runtime } from './phases.js';

export type { Runtime } from './phases.js';

/**
 * Events: 'training' (reason) when a retrain starts, 'trained' (TrainResult) after it, 'prediction'
 * (AssetPrediction), 'model' (StoredModel, when a new champion starts serving). The demo listens.
 */
export class Agent extends EventEmitter {
  private readonly runtime: Runtime;
  private readonly started: Array<{ phase: Phase; part: Part }> = [];
  private file: string;

  constructor(
    loaded: LoadedConfig,
    private readonly log: Logger,
  ) {
    super();
    const runtime: Runtime = { config: loaded.config, log, events: this, metrics: new Metrics(() => metricsSnapshot(runtime)) };
    this.runtime = runtime;
    this.file = loaded.file;
  }

  get config(): Config {
    return this.runtime.config;
  }

  /** The parts, for the HTTP endpoints, the demo and tests; absent while stopped. */
  get parts(): Readonly<Runtime> {
    return this.runtime;
  }

  async start(): Promise<void> {
    await this.startFrom(0);
    this.log.info({ config: this.file, phases: this.started.map((s) => s.phase.name) }, 'agent started');
  }

  async stop(): Promise<void> {
    await this.stopDownTo(0);
    this.log.info('agent stopped');
  }

  /** Retrains now (as the retrain command does); resolves with the result. */
  retrain(): Promise<unknown> {
    const retrain = this.runtime.retrain;
    if (!retrain) return Promise.reject(new Error('the agent is not running'));
    return retrain('command');
  }

  /**
   * Applies a new, already validated config: restarts the first phase whose sections changed and
   * everything after it. If the new config fails to start, the old one is started again.
   */
  async reload(next: LoadedConfig): Promise<void> {
    const previous = this.runtime.config;
    const changed = changedSections(previous, next.config);
    this.log.level = next.config.log.level;
    const from = this.started.findIndex(({ phase }) => phase.sections.some((s) => changed.has(s)));
    this.file = next.file;
    if (from < 0) {
      this.runtime.config = next.config;
      this.log.info({ changed: [...changed] }, 'config reloaded; no part needed a restart');
      return;
    }
    await this.stopDownTo(from);
    this.runtime.config = next.config;
    try {
      await this.startFrom(from);
      this.log.info({ changed: [...changed], restarted: PHASES.slice(from).map((p) => p.name) }, 'config reloaded');
    } catch (error) {
      this.log.error({ err: error }, 'new config failed to start; going back to the previous config');
      await this.stopDownTo(from);
      this.runtime.config = previous;
      await this.startFrom(from);
      throw error;
    }
  }

  private async startFrom(index: number): Promise<void> {
    for (const phase of PHASES.slice(index)) {
      const part = await phase.start(this.runtime);
      this.started.push({ phase, part });
    }
  }

  private async stopDownTo(index: number): Promise<void> {
    while (this.started.length > index) {
      const { phase, part } = this.started.pop()!;
      try {
        await part.stop();
      } catch (error) {
        this.log.error({ err: error, phase: phase.name }, 'part failed to stop cleanly');
      }
    }
  }
}

function changedSections(a: Config, b: Config): Set<keyof Config> {
  const keys = Object.keys(a) as Array<keyof Config>;
  return new Set(keys.filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key])));
}
