// The lifecycle owner: starts the phases in order, each with the parts the earlier ones made, stops
// them in reverse order, and applies a reloaded config by restarting from the first phase it touches.
import { EventEmitter } from 'node:events';
import type { LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { Metrics } from './http/metrics.js';
import type { AnyPhase, Started } from './lifecycle.js';
import type { Logger } from './log.js';
import { PHASES, type AgentEvents, type AgentParts, type Base } from './phases/index.js';
import type { TrainResult } from './train/trainer.js';

export type { AgentEvents } from './phases/index.js';

interface Running {
  readonly phase: AnyPhase;
  readonly started: Started<object>;
  /** What the next phase may take: everything before this phase, and this phase's parts. */
  readonly after: Base & Partial<AgentParts>;
}

/** Emits the AgentEvents (base.ts) as they happen; the demo and the benchmarks listen. */
export class Agent extends EventEmitter<AgentEvents> {
  private readonly running: Running[] = [];
  private readonly metrics = new Metrics();
  private config: Config;
  private file: string;

  constructor(
    loaded: LoadedConfig,
    private readonly log: Logger,
  ) {
    super();
    this.config = loaded.config;
    this.file = loaded.file;
  }

  async start(): Promise<void> {
    await this.startFrom(0);
    this.log.info({ config: this.file, phases: this.running.map((r) => r.phase.name) }, 'agent started');
  }

  async stop(): Promise<void> {
    await this.stopDownTo(0);
    this.log.info('agent stopped');
  }

  /** The port of the HTTP endpoint (the status page), or null when http.listen is off or the agent is not running. */
  httpPort(): number | null {
    return this.running.at(-1)?.after.http?.port ?? null;
  }

  /** Retrains now, as the retrain command does. */
  retrain(): Promise<TrainResult> {
    const retrain = this.running.at(-1)?.after.retrain;
    if (!retrain) return Promise.reject(new Error('the agent is not running'));
    return retrain('command');
  }

  /**
   * Applies a new, already validated config: restarts the first phase whose sections changed and
   * everything after it. If the new config fails to start, the old one is started again.
   */
  async reload(next: LoadedConfig): Promise<void> {
    const previous = this.config;
    const changed = changedSections(previous, next.config);
    this.log.level = next.config.log.level;
    this.file = next.file;
    this.config = next.config;
    const from = this.running.findIndex(({ phase }) => phase.sections.some((s) => changed.has(s)));
    if (from < 0) {
      this.log.info({ changed: [...changed] }, 'config reloaded; no part needed a restart');
      return;
    }
    await this.stopDownTo(from);
    try {
      await this.startFrom(from);
      this.log.info({ changed: [...changed], restarted: PHASES.slice(from).map((p) => p.name) }, 'config reloaded');
    } catch (error) {
      this.log.error({ err: error }, 'new config failed to start; going back to the previous config');
      await this.stopDownTo(from);
      this.config = previous;
      await this.startFrom(from);
      throw error;
    }
  }

  private async startFrom(index: number): Promise<void> {
    // Earlier phases keep running with the parts they made; the new config reaches the restarted ones.
    let available: Running['after'] = { ...(this.running[index - 1]?.after ?? { log: this.log, events: this, metrics: this.metrics }), config: this.config };
    for (const phase of PHASES.slice(index)) {
      // The chain in phases/index.ts has checked that `available` holds what this phase takes.
      const started = await phase.start(available as never);
      available = { ...available, ...started.parts };
      this.running.push({ phase, started, after: available });
    }
  }

  private async stopDownTo(index: number): Promise<void> {
    for (const { phase, started } of this.running.splice(index).reverse()) {
      try {
        await started.stop();
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
