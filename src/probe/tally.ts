// What `check-config --probe` saw, per telemetry and fault entry of the config: the topics, how many
// messages, and what the agent would make of them, judged by ingest's own routes and parsers. Keeps
// counts and a few samples, never every message. No I/O: the probe client feeds it.
import type { Config } from '../config/schema.js';
import type { RejectReason } from '../ingest/reasons.js';
import { buildRoutes, judge, limitsAt, routeOf, type IngestConfig, type Judged, type Route } from '../ingest/routes.js';
import type { ProbeMessage } from '../mqtt/probe-client.js';
import type { SparkplugDecoder } from '../sparkplug/decoder.js';

export interface Sample {
  topic: string;
  payload: Buffer;
  judged: Judged;
}

export interface EntryTally {
  /** The entry's key path: telemetry[0], faults[1]. */
  entry: string;
  /** The topic pattern as configured, and the filter subscribed to. */
  pattern: string;
  filter: string;
  messages: number;
  retained: number;
  /** Messages per topic (at most MAX_TOPICS topics kept; the rest only counted). */
  topics: Map<string, number>;
  otherTopics: number;
  /** Messages that would be stored, and the readings they hold. */
  stored: number;
  readings: number;
  /** Understood, nothing to store (Sparkplug deaths, host STATE). */
  ignored: number;
  rejected: Map<RejectReason, number>;
  /** The first message that would be stored and the first of each rejection reason. */
  samples: Sample[];
}

const MAX_TOPICS = 50;
const MAX_SAMPLES = 4;

export class ProbeTally {
  private readonly routes: Route[];
  private readonly tallies = new Map<string, EntryTally>();
  private readonly ingest: IngestConfig;
  /** Messages on a subscribed filter that no entry takes (a capture level left empty). */
  unrouted = 0;

  constructor(config: Config, sparkplug?: SparkplugDecoder) {
    this.ingest = { telemetry: config.telemetry, faults: config.faults, limits: config.ingest, retentionMs: config.storage.retention };
    this.routes = buildRoutes(this.ingest, sparkplug);
    // In the config's order, so the report reads like the file.
    const entries = [...config.telemetry.map((t, i) => ({ key: `telemetry[${i}]`, topic: t.topic })), ...config.faults.map((f, i) => ({ key: `faults[${i}]`, topic: f.topic }))];
    for (const { key, topic } of entries) {
      const route = this.routes.find((r) => r.entry === key)!;
      this.tallies.set(key, {
        entry: key,
        pattern: topic,
        filter: route.pattern.filter,
        messages: 0,
        retained: 0,
        topics: new Map(),
        otherTopics: 0,
        stored: 0,
        readings: 0,
        ignored: 0,
        rejected: new Map(),
        samples: [],
      });
    }
  }

  /** The filters to subscribe to, one per entry (duplicates removed). */
  filters(): string[] {
    return [...new Set(this.routes.map((r) => r.pattern.filter))];
  }

  add(message: ProbeMessage): void {
    const routed = routeOf(this.routes, message.topic);
    if (routed === null) {
      this.unrouted++;
      return;
    }
    const tally = this.tallies.get(routed.route.entry)!;
    tally.messages++;
    if (message.retained) tally.retained++;
    const seen = tally.topics.get(message.topic);
    if (seen !== undefined) tally.topics.set(message.topic, seen + 1);
    else if (tally.topics.size < MAX_TOPICS) tally.topics.set(message.topic, 1);
    else tally.otherTopics++;
    // The probe never answers a Sparkplug node: a rebirth request in the result is not sent.
    const judged = judge(routed, message.topic, message.payload, message.receivedAt, limitsAt(this.ingest, message.receivedAt));
    const firstOfItsKind = (): boolean => !tally.samples.some((s) => sameKind(s.judged, judged));
    switch (judged.kind) {
      case 'readings':
      case 'fault':
        tally.stored++;
        tally.readings += judged.kind === 'readings' ? judged.readings.length : 0;
        break;
      case 'rejected':
        tally.rejected.set(judged.rejection.reason, (tally.rejected.get(judged.rejection.reason) ?? 0) + 1);
        break;
      case 'nothing':
        tally.ignored++;
        break;
    }
    if (tally.samples.length < MAX_SAMPLES && firstOfItsKind()) tally.samples.push({ topic: message.topic, payload: message.payload, judged });
  }

  entries(): EntryTally[] {
    return [...this.tallies.values()];
  }
}

/** Two verdicts of one kind: both stored, both ignored, or rejected for the same reason. */
function sameKind(a: Judged, b: Judged): boolean {
  const stored = (j: Judged): boolean => j.kind === 'readings' || j.kind === 'fault';
  if (stored(a) || stored(b)) return stored(a) && stored(b);
  if (a.kind === 'rejected' && b.kind === 'rejected') return a.rejection.reason === b.rejection.reason;
  return a.kind === b.kind;
}
