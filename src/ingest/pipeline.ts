// Ingest: routes each MQTT message by topic, parses it, and hands readings, faults and rejections to
// group commit. Reads as a list of small steps, cheapest first (aedes' handlers/publish.js style).
// Knows nothing of models or predictions.
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { parsePattern, type TopicPattern } from '../mqtt/topics.js';
import type { Inbound, Subscription } from '../mqtt/connection.js';
import type { SparkplugDecoder } from '../sparkplug/decoder.js';
import type { Batch, BatchResult, BatchWriter, ReadingRow } from '../store/ingest-batch.js';
import { GroupCommit, type Entry } from './group-commit.js';
import { parseFault, parseTelemetry, type Limits, type RejectReason, type Rejection, type TelemetryFormat } from './parse.js';
import { RejectionSummary } from './rejection-summary.js';

interface Route {
  kind: 'telemetry' | 'fault' | 'sparkplug';
  pattern: TopicPattern;
  qos: 0 | 1;
  telemetry?: TelemetryFormat;
  fault?: Config['faults'][number];
  fields?: readonly string[] | null;
}

export interface IngestCounters {
  readingsStored: number;
  /** Wall time of the last commit that stored a reading, or null. */
  lastReadingAt: number | null;
  duplicates: number;
  faultsStored: number;
  rejected: Map<RejectReason, number>;
}

export interface IngestOptions {
  config: Config;
  log: Logger;
  writer: BatchWriter;
  /** Messages on these topics run their command instead of reaching the buffer (e.g. retrain). */
  commands?: ReadonlyMap<string, () => void>;
  /** Decodes telemetry entries with `format: sparkplug`; required when there are any. */
  sparkplug?: SparkplugDecoder;
  /** Publishes a Sparkplug rebirth request to an edge node whose data came before its birth. */
  requestRebirth?: (topic: string, payload: Buffer) => void;
}

export class Ingest {
  readonly counters: IngestCounters = { readingsStored: 0, lastReadingAt: null, duplicates: 0, faultsStored: 0, rejected: new Map() };
  private readonly routes: Route[];
  private readonly commit: GroupCommit;
  private readonly summary: RejectionSummary;
  private readonly knownSeries: Set<string>;
  private readonly commitListeners = new Set<(batch: Batch) => void>();

  constructor(private readonly options: IngestOptions) {
    const { config, log, writer } = options;
    this.routes = [
      ...config.telemetry
        .filter((t) => t.format !== 'sparkplug')
        .map((t): Route => {
          const telemetry: TelemetryFormat = { format: t.format === 'value' ? 'value' : 'json', timestamp: t.timestamp, fields: t.fields };
          return { kind: 'telemetry', pattern: parsePattern(t.topic), qos: t.qos, telemetry };
        }),
      ...config.faults.map((f): Route => ({ kind: 'fault', pattern: parsePattern(f.topic), qos: f.qos, fault: f })),
      ...config.telemetry
        .filter((t) => t.format === 'sparkplug')
        .map((t): Route => ({ kind: 'sparkplug', pattern: parsePattern(t.topic), qos: t.qos, fields: t.fields })),
    ];
    if (this.routes.some((r) => r.kind === 'sparkplug') && !options.sparkplug) throw new Error('sparkplug telemetry needs a decoder');
    this.knownSeries = new Set(writer.listSeries().map((s) => seriesKey(s.asset, s.sensor)));
    this.summary = new RejectionSummary(log);
    this.commit = new GroupCommit({
      write: (batch) => writer.writeBatch(batch),
      onCommitted: (batch, result) => this.committed(batch, result),
      batchSize: config.ingest.batch_size,
      maxPending: config.ingest.max_pending,
      log,
    });
  }

  subscriptions(): Subscription[] {
    const extra = [...(this.options.commands?.keys() ?? [])].map((filter): Subscription => ({ filter, qos: 1 }));
    return [...this.routes.map((r) => ({ filter: r.pattern.filter, qos: r.qos })), ...extra];
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
    const { config } = this.options;
    const limits: Limits = {
      maxPayload: config.ingest.max_payload,
      maxFields: config.ingest.max_fields,
      latestTs: message.receivedAt + config.ingest.max_future,
      earliestTs: message.receivedAt - config.storage.retention,
    };
    const routed = this.route(message.topic);
    if (!routed) return this.reject(message, { reason: 'unknown_topic', detail: 'the topic matches no telemetry or fault pattern' });
    const { route, captures } = routed;
    if (route.kind === 'sparkplug') return this.sparkplugEntry(message, limits, route.fields ?? null);
    const asset = captures.asset!;
    const line = captures.line ?? null;
    if (route.kind === 'fault') {
      const fault = parseFault(message.payload, route.fault!.timestamp, message.receivedAt, limits);
      if ('reason' in fault) return this.reject(message, fault);
      return { fault: { asset, line, ts: fault.ts, fields: fault.fields } };
    }
    const parsed = parseTelemetry(message.payload, captures, route.telemetry!, message.receivedAt, limits);
    if (!('readings' in parsed)) return this.reject(message, parsed);
    return this.readingsEntry(message, parsed.readings.map((r) => ({ asset, line, sensor: r.sensor, ts: r.ts, value: r.value })));
  }

  private sparkplugEntry(message: Inbound, limits: Limits, fields: readonly string[] | null): Entry {
    const result = this.options.sparkplug!.decode(message.topic, message.payload, message.receivedAt, limits, fields);
    if (result.kind !== 'ignored' && result.rebirth) this.options.requestRebirth?.(result.rebirth.topic, result.rebirth.payload);
    if (result.kind === 'rejected') return this.reject(message, result.rejection as Rejection);
    if (result.kind === 'ignored') return {};
    return this.readingsEntry(message, result.readings);
  }

  /** Applies the series limit: a message that would create series beyond it is rejected whole. */
  private readingsEntry(message: Inbound, readings: ReadingRow[]): Entry {
    const { max_series: limit } = this.options.config.ingest;
    const unknown = readings.filter((r) => !this.knownSeries.has(seriesKey(r.asset, r.sensor)));
    if (this.knownSeries.size + unknown.length > limit) {
      return this.reject(message, {
        reason: 'too_many_series',
        detail: `${readings[0]?.asset} would add ${unknown.length} series beyond ingest.max_series (${limit})`,
      });
    }
    for (const r of unknown) this.knownSeries.add(seriesKey(r.asset, r.sensor));
    return { readings };
  }

  private route(topic: string): { route: Route; captures: Record<string, string> } | null {
    for (const route of this.routes) {
      const captures = route.pattern.match(topic);
      // Sparkplug names the asset inside the topic's device level, not by a capture.
      if (captures && (captures.asset || route.kind === 'sparkplug')) return { route, captures };
    }
    return null;
  }

  private reject(message: Inbound, rejection: Rejection): Entry {
    this.summary.add(message.topic, rejection);
    return {
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
    for (const d of batch.deadLetters) {
      const reason = d.reason as RejectReason;
      c.rejected.set(reason, (c.rejected.get(reason) ?? 0) + 1);
    }
    for (const listener of this.commitListeners) listener(batch);
  }
}

function seriesKey(asset: string, sensor: string): string {
  return `${asset}\u0000${sensor}`;
}
