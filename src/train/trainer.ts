// The trainer: runs the retrain job in a child process (its own read-only connection, so ingest
// never waits), one run at a time, and stores the outcome in the registry from the main thread.
// Never throws from run(): a failed retrain is a result, and the champion stays.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServingModel } from '../learn/model.js';
import type { FleetConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { ModelRegistry } from '../store/models.js';
import type { ModelCard } from './card.js';
import type { ModelConfig } from './job.js';
import type { SharedStats, WorkerFleet, WorkerInput, WorkerReply } from './messages.js';

export type TrainReason = 'schedule' | 'command' | 'cli';

export type TrainResult =
  | {
      readonly status: 'trained';
      readonly reason: TrainReason;
      readonly promoted: boolean;
      readonly version: string;
      readonly card: ModelCard;
      readonly model: ServingModel;
      readonly durationMs: number;
      /** Peak memory of the training process, which the agent's own RSS does not include. */
      readonly peakRssMb: number;
      /** What this agent shares with its fleet after the run (issue 15); null: nothing. */
      readonly fleet: SharedStats | null;
    }
  | {
      readonly status: 'not_enough_data';
      readonly reason: TrainReason;
      /** "has N labelled samples from E episodes, needs model.min_samples = M and at least 2 episodes" */
      readonly message: string;
      readonly samples: number;
      readonly episodes: number;
      readonly minSamples: number;
      readonly durationMs: number;
      /** Too little to train alone can still be shared with a fleet. */
      readonly fleet: SharedStats | null;
    }
  | { readonly status: 'failed'; readonly reason: TrainReason; readonly message: string; readonly durationMs: number };

export interface TrainerOptions {
  /** The buffer file; the training process opens it read-only. */
  readonly dbPath: string;
  /** On the main thread's writable connection. */
  readonly registry: ModelRegistry;
  readonly model: ModelConfig;
  /** This agent in its fleet; absent outside one. */
  readonly fleet?: WorkerFleet;
  readonly log: Logger;
  /** The training process's script; default worker.js beside this module (run from the .ts sources, pass the build's). */
  readonly workerUrl?: URL;
  readonly now?: () => number;
}

/** What the training process needs of config.fleet; undefined outside a fleet. */
export function workerFleet(config: { readonly agent: { readonly id: string }; readonly fleet: FleetConfig }, options: { share: boolean }): WorkerFleet | undefined {
  const { fleet, agent } = config;
  if (fleet.id === null || !(fleet.learn || fleet.share)) return undefined;
  return { selector: fleet, agent: agent.id, share: options.share && fleet.share, learn: fleet.learn, waitMs: fleet.wait };
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Runs never overlap: run() while a run is in progress returns that run's promise (the caller
 * gets its result, and `joined` is logged), so a burst of retrain commands trains once.
 */
export class Trainer {
  private current: Promise<TrainResult> | null = null;
  /** Ends the training process of the run in progress, if any. */
  private cancel: (() => Promise<void>) | null = null;

  constructor(private readonly options: TrainerOptions) {}

  get running(): boolean {
    return this.current !== null;
  }

  run(reason: TrainReason): Promise<TrainResult> {
    if (this.current !== null) {
      this.options.log.info({ reason }, 'retrain already running; joining it');
      return this.current;
    }
    const run = this.execute(reason)
      .then((result) => {
        this.options.registry.recordRun({ at: new Date((this.options.now ?? Date.now)()).toISOString(), reason, status: result.status, message: summarize(result) });
        return result;
      })
      .finally(() => {
        this.current = null;
      });
    this.current = run;
    return run;
  }

  /** Stops a running training process (agent shutdown); that run ends as failed and stores nothing. */
  async stop(): Promise<void> {
    const running = this.current;
    await this.cancel?.();
    if (running !== null) await running;
  }

  private async execute(reason: TrainReason): Promise<TrainResult> {
    const { log, registry } = this.options;
    const now = this.options.now ?? Date.now;
    const started = now();
    const elapsed = (): number => now() - started;
    log.info({ reason }, 'retrain started');
    try {
      const champion = registry.champion();
      const { dbPath, model, fleet } = this.options;
      const reply = await this.inProcess({ dbPath, model, champion: champion?.params ?? null, now: started, ...(fleet ? { fleet } : {}) });
      if (reply.kind === 'not_enough_data') {
        const { message, samples, episodes, minSamples } = reply;
        log.warn({ reason, samples, episodes, min_samples: minSamples }, 'not enough labelled data to train');
        return { status: 'not_enough_data', reason, message, samples, episodes, minSamples, durationMs: elapsed(), fleet: reply.fleet };
      }
      if (reply.kind === 'failed') return this.failed(reason, reply.message, elapsed(), reply.stack);
      const { outcome } = reply;
      const peakRssMb = Math.round(reply.peakRssKb / 1024);
      const before = champion?.version ?? null;
      const stored = registry.insert((current) => {
        // The gate compared against the champion of the start; if someone switched it meanwhile
        // (`faultline models use`), their choice stands and this model is kept as rejected.
        const switched = outcome.promoted && current !== before;
        const card: ModelCard = switched
          ? { ...outcome.card, promoted: false, promotion: `rejected: the champion changed from ${before ?? 'none'} to ${current ?? 'none'} during training; retrain to compare against it` }
          : outcome.card;
        return { trainedAt: outcome.trainedAt, dataHash: outcome.dataHash, card, params: outcome.model, promote: outcome.promoted && !switched };
      });
      const promoted = stored.status === 'champion';
      const metrics = stored.card.metrics;
      log.info(
        { reason, version: stored.version, promoted, rmse: metrics.challenger.rmse, champion_rmse: metrics.champion?.rmse ?? null, duration_ms: elapsed(), steps_ms: outcome.timings, peak_rss_mb: peakRssMb },
        promoted ? 'retrain finished; model promoted' : 'retrain finished; model rejected, the champion stays',
      );
      return { status: 'trained', reason, promoted, version: stored.version, card: stored.card, model: stored.params, durationMs: elapsed(), peakRssMb, fleet: reply.fleet };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return this.failed(reason, `${e.name}: ${e.message}`, elapsed(), e.stack);
    }
  }

  private failed(reason: TrainReason, message: string, durationMs: number, stack?: string): TrainResult {
    this.options.log.error({ reason, err: { message, stack } }, 'retrain failed; the champion stays');
    return { status: 'failed', reason, message, durationMs };
  }

  /**
   * One process per run; resolves with its reply, or a failure if it dies (or is stopped) without
   * one. A process rather than a worker thread: a thread shares the agent's address space (its page
   * faults and heap growth contend with ingest for the process's memory map lock) and V8's GC helper
   * threads, which its scheduling policy does not reach. Measured in bench:retrain-ingest: ingest
   * p99 during a 1M-sample retrain was 2.0-3.7x idle with a thread at nice 19, 1.0-2.7x with a
   * process at nice 19, and 1.0-1.8x with a process under SCHED_IDLE (worker.ts), counting the
   * run only; bench/README.md has the figures with the 2 s after it.
   */
  private inProcess(input: WorkerInput): Promise<WorkerReply> {
    return new Promise((resolve) => {
      // Structured clone over IPC (as between threads); GC on the process's own, lowered, thread.
      const child = fork(fileURLToPath(this.options.workerUrl ?? WORKER_URL), [], {
        serialization: 'advanced',
        execArgv: ['--single-threaded-gc'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8192)));
      let replied = false;
      const settle = (reply: WorkerReply): void => {
        if (replied) return;
        replied = true;
        this.cancel = null;
        resolve(reply);
      };
      // 'close' comes after the exit, the IPC channel and stderr have all ended: a reply sent just
      // before exiting has been read by then, and so has a crash report.
      const closed = new Promise<void>((done) => child.once('close', () => done()));
      this.cancel = async () => {
        settle({ kind: 'failed', message: 'stopped before it finished (the agent is shutting down)' });
        child.kill('SIGKILL');
        await closed;
      };
      child.once('message', (reply: WorkerReply) =>
        settle(isReply(reply) ? reply : { kind: 'failed', message: 'the training process sent something that is not a reply' }),
      );
      child.once('error', (error) => settle({ kind: 'failed', message: `could not start the training process: ${error.message}` }));
      child.once('close', (code, signal) => {
        const cause = /^\w*Error\b.*$/m.exec(stderr)?.[0];
        settle({ kind: 'failed', message: `the training process exited with ${signal ?? `code ${code}`} before replying${cause ? `: ${cause}` : ''}` });
      });
      child.send(input);
    });
  }
}

function summarize(result: TrainResult): string {
  if (result.status !== 'trained') return result.message;
  return result.promoted ? `model ${result.version} promoted` : `model ${result.version} rejected: ${result.card.promotion}`;
}

function isReply(value: unknown): value is WorkerReply {
  const kind = (value as { kind?: unknown } | null)?.kind;
  return kind === 'trained' || kind === 'not_enough_data' || kind === 'failed';
}
