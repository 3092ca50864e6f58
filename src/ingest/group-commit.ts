// Group commit: collects parsed messages and writes them in one transaction per event-loop turn (or
// per `batchSize`), resolving each message's promise only once it is durable. When a write fails
// (disk full, I/O error) the batch is kept and retried with backoff; past `maxPending` it asks the
// caller to stop reading from the broker, so memory stays bounded and the broker holds the backlog.
import { errorCode, errorMessage } from '../error-message.js';
import type { Logger } from '../log.js';
import type { Batch, BatchResult, DeadLetterRow, FaultRow, FleetRow, ReadingRow } from '../store/ingest-batch.js';

/** One message's contribution to a batch: exactly one of these. */
export type Entry =
  | { readonly kind: 'readings'; readonly readings: readonly ReadingRow[] }
  | { readonly kind: 'fault'; readonly fault: FaultRow }
  | { readonly kind: 'dead_letter'; readonly deadLetter: DeadLetterRow }
  /** A message on a fleet statistics topic (issue 15), stored with the batch like a reading. */
  | { readonly kind: 'fleet'; readonly fleet: FleetRow }
  /** Understood and nothing to store (a Sparkplug death, say); acknowledged with its batch all the same. */
  | { readonly kind: 'nothing' };

interface Waiting {
  entry: Entry;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface GroupCommitOptions {
  write: (batch: Batch) => BatchResult;
  /** Called after each commit with what became durable (readings in arrival order). */
  onCommitted: (batch: Batch, result: BatchResult) => void;
  batchSize: number;
  maxPending: number;
  log: Logger;
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;
const STALL_LOG_EVERY_MS = 30_000;

export class ShutdownError extends Error {
  override name = 'ShutdownError';
}

export class GroupCommit {
  private queue: Waiting[] = [];
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private retryDelay = 0;
  private stalledSince: number | null = null;
  private lastStallLog = 0;
  private drainWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly options: GroupCommitOptions) {}

  get pending(): number {
    return this.queue.length;
  }

  /** Why writes are failing, while they are; null when healthy. */
  get stalled(): { since: number } | null {
    return this.stalledSince === null ? null : { since: this.stalledSince };
  }

  /** Queues a message; the promise resolves when it is committed, rejects only on shutdown. */
  add(entry: Entry): Promise<void> {
    if (this.closed) return Promise.reject(new ShutdownError('ingest is stopping'));
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (this.queue.length >= this.options.batchSize && this.retryDelay === 0) this.flushNow();
      else this.schedule(0);
    });
  }

  /**
   * Null while there is room; otherwise a promise that resolves once the queue has drained to half of
   * `maxPending`. The caller holds back the next MQTT packet until then (TCP backpressure).
   */
  backpressure(): Promise<void> | null {
    if (this.queue.length < this.options.maxPending) return null;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Writes what is queued now, rather than at the end of this event-loop turn. */
  flush(): void {
    if (this.retryDelay === 0) this.flushNow();
  }

  /** Writes what is queued; messages that still cannot be written are rejected (not acknowledged). */
  close(): void {
    if (this.scheduled) clearTimeout(this.scheduled as NodeJS.Timeout);
    this.scheduled = null;
    this.flushNow();
    this.closed = true;
    for (const waiting of this.queue.splice(0)) waiting.reject(new ShutdownError('not written before shutdown'));
    this.releaseDrainWaiters(true);
  }

  private schedule(delayMs: number): void {
    if (this.scheduled || this.closed) return;
    const run = (): void => {
      this.scheduled = null;
      this.flushNow();
    };
    // setImmediate: everything mqtt.js parsed from the same socket read lands in one transaction.
    this.scheduled = delayMs === 0 ? setImmediate(run) : setTimeout(run, delayMs);
  }

  private flushNow(): void {
    while (this.queue.length > 0) {
      const taken = this.queue.slice(0, this.options.batchSize);
      const batch = toBatch(taken);
      let result: BatchResult;
      try {
        result = this.options.write(batch);
      } catch (error) {
        this.onWriteFailed(error);
        return;
      }
      this.queue.splice(0, taken.length);
      this.onWriteSucceeded();
      for (const waiting of taken) waiting.resolve();
      this.options.onCommitted(batch, result);
    }
    this.releaseDrainWaiters(false);
  }

  private onWriteFailed(error: unknown): void {
    const now = Date.now();
    if (this.stalledSince === null) this.stalledSince = now;
    if (now - this.lastStallLog >= STALL_LOG_EVERY_MS) {
      this.lastStallLog = now;
      const full = /SQLITE_FULL|ENOSPC|disk is full/i.test(`${errorCode(error)} ${errorMessage(error)}`);
      this.options.log.error(
        { err: error, pending: this.queue.length, diskFull: full },
        full
          ? 'disk full: cannot store readings; not acknowledging new messages until space returns'
          : 'cannot store readings; not acknowledging new messages, retrying',
      );
    }
    this.retryDelay = Math.min(RETRY_MAX_MS, Math.max(RETRY_FIRST_MS, this.retryDelay * 2));
    this.schedule(this.retryDelay);
  }

  private onWriteSucceeded(): void {
    if (this.stalledSince !== null) {
      this.options.log.warn({ stalledMs: Date.now() - this.stalledSince }, 'storing readings again; acknowledging resumes');
    }
    this.stalledSince = null;
    this.retryDelay = 0;
  }

  private releaseDrainWaiters(all: boolean): void {
    if (this.drainWaiters.length === 0) return;
    if (!all && this.queue.length > this.options.maxPending / 2) return;
    for (const release of this.drainWaiters.splice(0)) release();
  }
}

function toBatch(taken: Waiting[]): Batch {
  const batch: Batch = { readings: [], faults: [], deadLetters: [], fleet: [] };
  for (const { entry } of taken) {
    switch (entry.kind) {
      case 'readings':
        for (const reading of entry.readings) batch.readings.push(reading);
        break;
      case 'fault':
        batch.faults.push(entry.fault);
        break;
      case 'dead_letter':
        batch.deadLetters.push(entry.deadLetter);
        break;
      case 'fleet':
        batch.fleet?.push(entry.fleet);
        break;
      case 'nothing':
        break;
    }
  }
  return batch;
}
