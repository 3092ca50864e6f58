// Ingest: routes each MQTT message by topic, parses it, and hands readings, faults and rejections to
// group commit. Reads as a list of small steps, cheapest first (aedes' handlers/publish.js style).
// Knows nothing of models or predictions.
import type { Logger } from '../log.js';
import type { Inbound, Subscription } from '../mqtt/connection.js';
import type { RebirthRequest, SparkplugDecoder } from '../sparkplug/decoder.js';
import type { Batch, BatchResult, BatchWriter, ReadingRow } from '../store/ingest-batch.js';
import { GroupCommit, type Entry } from './group-commit.js';
import type { RejectReason, Rejection } from './reasons.js';
import { RejectionSummary } from './rejection-summary.js';
import { buildRoutes, judge, limitsAt, routeOf, type IngestConfig, type Route } from './routes.js';

export type { IngestConfig } from './routes.js';

export interface IngestCounters {
  readingsStored: number;
  /** Wall time of the last commit that stored a reading, or null. */
  lastReadingAt: number | null;
  duplicates: number;
  faultsStored: number;
  rejected: Map<RejectReason, number>;
}

/** Topics another part reads, ahead of telemetry, stored with the same batches (the fleet's statistics, issue 15). */
export interface ExtraRoute {
  readonly subscription: Subscription;
  /** What to store for the message; null when its topic is not this route's. */
  toEntry(message: Inbound): Entry | null;
}

export interface IngestOptions {
  config: IngestConfig;
  log: Logger;
  writer: BatchWriter;
  /** Routed before the telemetry and fault patterns, so that a broad pattern cannot take their messages. */
  extra?: readonly ExtraRoute[];
  /** Messages on these topics run their command instead of reaching the buffer (e.g. retrain). */
  commands?: ReadonlyMap<string, () => void>;
  /** Decodes telemetry entries with `format: sparkplug`; required when there are any. */
  sparkplug?: SparkplugDecoder;
}

export class Ingest {
  readonly counters: IngestCounters = { readingsStored: 0, lastReadingAt: null, duplicates: 0, faultsStored: 0, rejected: new Map() };
  private readonly routes: Route[];
  private readonly commit: GroupCommit;
  private readonly summary: RejectionSummary;
  private readonly knownSeries: Set<string>;
  private readonly commitListeners = new Set<(batch: Batch) => void>();
  private readonly rebirthListeners = new Set<(request: RebirthRequest) => void>();

  constructor(private readonly options: IngestOptions) {
    const { config, log, writer } = options;
    this.routes = buildRoutes(config, options.sparkplug);
    this.knownSeries = new Set(writer.listSeries().map((s) => seriesKey(s.asset, s.sensor)));
    this.summary = new RejectionSummary(log);
    this.commit = new GroupCommit({
      write: (batch) => writer.writeBatch(batch),
      onCommitted: (batch, result) => this.committed(batch, result),
      batchSize: config.limits.batch_size,
      maxPending: config.limits.max_pending,
      log,
    });
  }

  subscriptions(): Subscription[] {
    const commands = [...(this.options.commands?.keys() ?? [])].map((filter): Subscription => ({ filter, qos: 1 }));
    const extra = (this.options.extra ?? []).map((route) => route.subscription);
    return [...this.routes.map((r) => ({ filter: r.pattern.filter, qos: r.qos })), ...commands, ...extra];
  }

  get pending(): number {
    return this.commit.pending;
  }

  get stalled(): { since: number } | null {
    return this.commit.stalled;
  }

  /** Calls `listener` with every batch once it is durable (live prediction windows listen here). */
  onCommit(listener: (batch: Batch) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Calls `listener` with each rebirth request for a Sparkplug edge node whose data came before its birth. */
  onRebirthRequest(listener: (request: RebirthRequest) => void): () => void {
    this.rebirthListeners.add(listener);
    return () => this.rebirthListeners.delete(listener);
  }

  backpressure(): Promise<void> | null {
    return this.commit.backpressure();
  }

  /** Resolves when the message (or its rejection) is durable. */
  handle(message: Inbound): Promise<void> {
    const command = this.options.commands?.get(message.topic);
    if (command) {
      command();
      return Promise.resolve();
    }
    return this.commit.add(this.toEntry(message));
  }

  /** Writes everything queued now (before disconnecting, so pending acks can still be sent). */
  async flush(): Promise<void> {
    this.commit.flush();
    // PUBACKs go out in promise callbacks of the commit; let them run before the caller disconnects.
    await new Promise((resolve) => setImmediate(resolve));
  }

  stop(): void {
    this.commit.close();
    this.summary.stop();
  }

  private toEntry(message: Inbound): Entry {
    for (const route of this.options.extra ?? []) {
      const entry = route.toEntry(message);
      if (entry) return entry;
    }
    const routed = routeOf(this.routes, message.topic);
    if (!routed) return this.reject(message, { reason: 'unknown_topic', detail: 'the topic matches no telemetry or fault pattern' });
    const judged = judge(routed, message.topic, message.payload, message.receivedAt, limitsAt(this.options.config, message.receivedAt));
    if ((judged.kind === 'readings' || judged.kind === 'rejected') && judged.rebirth) {
      for (const listener of this.rebirthListeners) listener(judged.rebirth);
    }
    switch (judged.kind) {
      case 'nothing':
        return { kind: 'nothing' };
      case 'fault':
        return { kind: 'fault', fault: judged.fault };
      case 'rejected':
        return this.reject(message, judged.rejection);
      case 'readings':
        return this.readingsEntry(message, judged.readings);
    }
  }

  /** Applies the series limit: a message that would create series beyond it is rejected whole. */
  private readingsEntry(message: Inbound, readings: ReadingRow[]): Entry {
    const { max_series: limit } = this.options.config.limits;
    const unknown = readings.filter((r) => !this.knownSeries.has(seriesKey(r.asset, r.sensor)));
    if (this.knownSeries.size + unknown.length > limit) {
      return this.reject(message, {
        reason: 'too_many_series',
        detail: `${readings[0]?.asset} would add ${unknown.length} series beyond ingest.max_series (${limit})`,
      });
    }
    for (const r of unknown) this.knownSeries.add(seriesKey(r.asset, r.sensor));
    return { kind: 'readings', readings };
  }

  private reject(message: Inbound, rejection: Rejection): Entry {
    this.summary.add(message.topic, rejection);
    return {
      kind: 'dead_letter',
      deadLetter: {
        receivedAt: message.receivedAt,
        topic: message.topic,
        reason: rejection.reason,
        detail: rejection.detail,
        payload: message.payload,
      },
    };
  }

  private committed(batch: Batch, result: BatchResult): void {
    const c = this.counters;
    c.readingsStored += result.stored;
    if (batch.readings.length > 0) c.lastReadingAt = Date.now();
    c.duplicates += result.duplicates;
    c.faultsStored += result.faults;
    for (const { reason } of batch.deadLetters) c.rejected.set(reason, (c.rejected.get(reason) ?? 0) + 1);
    for (const listener of this.commitListeners) listener(batch);
  }
}

function seriesKey(asset: string, sensor: string): string {
  return `${asset}\u0000${sensor}`;
}
