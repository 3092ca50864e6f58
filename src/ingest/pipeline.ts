// Ingest: routes each MQTT message by topic, parses it, and hands readings, faults and rejections to
// group commit. Reads as a list of small steps, cheapest first (aedes' handlers/publish.js style).
// Knows nothing of models or predictions.
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Inbound, Subscription } from '../mqtt/connection.js';
import type { RebirthRequest, SparkplugDecoder } from '../sparkplug/decoder.js';
import type { Batch, BatchResult, BatchWriter, ReadingRow } from '../store/ingest-batch.js';
import { parsePattern, type TopicPattern } from '../topics/patterns.js';
import { GroupCommit, type Entry } from './group-commit.js';
import { parseFault, parseTelemetry, type Limits, type TelemetryFormat } from './parse.js';
import type { RejectReason, Rejection } from './reasons.js';
import { RejectionSummary } from './rejection-summary.js';

/** Where a topic's messages go, by the config entry whose pattern it matches. */
type Route =
  | { readonly kind: 'telemetry'; readonly pattern: TopicPattern; readonly qos: 0 | 1; readonly format: TelemetryFormat }
  | { readonly kind: 'fault'; readonly pattern: TopicPattern; readonly qos: 0 | 1; readonly timestamp: string | null }
  | { readonly kind: 'sparkplug'; readonly pattern: TopicPattern; readonly qos: 0 | 1; readonly fields: readonly string[] | null; readonly decoder: SparkplugDecoder };

export interface IngestCounters {
  readingsStored: number;
  /** Wall time of the last commit that stored a reading, or null. */
  lastReadingAt: number | null;
  duplicates: number;
  faultsStored: number;
  rejected: Map<RejectReason, number>;
}

/** The config sections ingest reads: what to subscribe to, its limits, and how old a reading may be. */
export interface IngestConfig {
  telemetry: Config['telemetry'];
  faults: Config['faults'];
  limits: Config['ingest'];
  retentionMs: number;
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
    const telemetryRoute = (t: Config['telemetry'][number]): Route => {
      const pattern = parsePattern(t.topic);
      if (t.format !== 'sparkplug') return { kind: 'telemetry', pattern, qos: t.qos, format: { format: t.format, timestamp: t.timestamp, fields: t.fields } };
      if (!options.sparkplug) throw new Error('sparkplug telemetry needs a decoder');
      return { kind: 'sparkplug', pattern, qos: t.qos, fields: t.fields, decoder: options.sparkplug };
    };
    // Sparkplug entries last: their catch-all patterns must not shadow a more specific entry.
    this.routes = [
      ...config.telemetry.filter((t) => t.format !== 'sparkplug').map(telemetryRoute),
      ...config.faults.map((f): Route => ({ kind: 'fault', pattern: parsePattern(f.topic), qos: f.qos, timestamp: f.timestamp })),
      ...config.telemetry.filter((t) => t.format === 'sparkplug').map(telemetryRoute),
    ];
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
    const { config } = this.options;
    const limits: Limits = {
      maxPayload: config.limits.max_payload,
      maxFields: config.limits.max_fields,
      latestTs: message.receivedAt + config.limits.max_future,
      earliestTs: message.receivedAt - config.retentionMs,
    };
    const routed = this.route(message.topic);
    if (!routed) return this.reject(message, { reason: 'unknown_topic', detail: 'the topic matches no telemetry or fault pattern' });
    const { route, captures } = routed;
    switch (route.kind) {
      case 'sparkplug':
        return this.sparkplugEntry(message, limits, route.decoder, route.fields);
      case 'fault': {
        const fault = parseFault(message.payload, route.timestamp, message.receivedAt, limits);
        if ('reason' in fault) return this.reject(message, fault);
        return { kind: 'fault', fault: { asset: captures.asset, line: captures.line, ts: fault.ts, fields: fault.fields } };
      }
      case 'telemetry': {
        const parsed = parseTelemetry(message.payload, captures.all, route.format, message.receivedAt, limits);
        if ('reason' in parsed) return this.reject(message, parsed);
        return this.readingsEntry(message, parsed.readings.map((r) => ({ asset: captures.asset, line: captures.line, sensor: r.sensor, ts: r.ts, value: r.value })));
      }
    }
  }

  private sparkplugEntry(message: Inbound, limits: Limits, decoder: SparkplugDecoder, fields: readonly string[] | null): Entry {
    const result = decoder.decode(message.topic, message.payload, message.receivedAt, limits, fields);
    if (result.kind === 'ignored') return { kind: 'nothing' };
    if (result.rebirth) for (const listener of this.rebirthListeners) listener(result.rebirth);
    if (result.kind === 'rejected') return this.reject(message, result.rejection);
    return this.readingsEntry(message, result.readings);
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

  private route(topic: string): { route: Route; captures: Captures } | null {
    for (const route of this.routes) {
      const all = route.pattern.match(topic);
      if (all === null) continue;
      // Sparkplug names the asset inside the topic's device level, not by a capture.
      const asset = all.asset ?? (route.kind === 'sparkplug' ? '' : undefined);
      if (asset !== undefined) return { route, captures: { asset, line: all.line ?? null, all } };
    }
    return null;
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

/** The asset (and line) a topic names; `all` holds every capture, for +sensor. */
interface Captures {
  readonly asset: string;
  readonly line: string | null;
  readonly all: Readonly<Record<string, string>>;
}

function seriesKey(asset: string, sensor: string): string {
  return `${asset}\u0000${sensor}`;
}
