// Which config entry a topic belongs to, and what its message becomes there: readings, a fault, or
// a rejection with its reason. Pure apart from the Sparkplug decoder's state (births seen). The
// agent's ingest and `check-config --probe` both judge messages here, so the probe says what the
// agent would do.
import type { Config } from '../config/schema.js';
import { keyPath } from '../config/errors.js';
import type { RebirthRequest, SparkplugDecoder } from '../sparkplug/decoder.js';
import type { FaultRow, ReadingRow } from '../store/ingest-batch.js';
import { parsePattern, type TopicPattern } from '../topics/patterns.js';
import { parseFault, parseTelemetry, type Limits, type TelemetryFormat } from './parse.js';
import type { Rejection } from './reasons.js';

/** Where a topic's messages go, by the config entry whose pattern it matches. */
export type Route = { readonly entry: string; readonly pattern: TopicPattern; readonly qos: 0 | 1 } & (
  | { readonly kind: 'telemetry'; readonly format: TelemetryFormat }
  | { readonly kind: 'fault'; readonly timestamp: string | null }
  | { readonly kind: 'sparkplug'; readonly fields: readonly string[] | null; readonly decoder: SparkplugDecoder }
);

/** The config sections ingest reads: what to subscribe to, its limits, and how old a reading may be. */
export interface IngestConfig {
  telemetry: Config['telemetry'];
  faults: Config['faults'];
  limits: Config['ingest'];
  retentionMs: number;
}

/** What a message becomes. `nothing`: understood, nothing to store (a Sparkplug death, STATE...). */
export type Judged =
  | { kind: 'readings'; readings: ReadingRow[]; rebirth?: RebirthRequest }
  | { kind: 'fault'; fault: FaultRow }
  | { kind: 'rejected'; rejection: Rejection; rebirth?: RebirthRequest }
  | { kind: 'nothing'; detail: string };

/** Routes in the order a topic is matched: Sparkplug's catch-all patterns last, so they shadow no other entry. */
export function buildRoutes(config: Pick<IngestConfig, 'telemetry' | 'faults'>, sparkplug?: SparkplugDecoder): Route[] {
  const telemetry = config.telemetry.map((t, index): Route => {
    const common = { entry: keyPath(['telemetry', index]), pattern: parsePattern(t.topic), qos: t.qos };
    if (t.format !== 'sparkplug') return { ...common, kind: 'telemetry', format: { format: t.format, timestamp: t.timestamp, fields: t.fields } };
    if (!sparkplug) throw new Error('sparkplug telemetry needs a decoder');
    return { ...common, kind: 'sparkplug', fields: t.fields, decoder: sparkplug };
  });
  const faults = config.faults.map((f, index): Route => ({ entry: keyPath(['faults', index]), kind: 'fault', pattern: parsePattern(f.topic), qos: f.qos, timestamp: f.timestamp }));
  return [...telemetry.filter((r) => r.kind !== 'sparkplug'), ...faults, ...telemetry.filter((r) => r.kind === 'sparkplug')];
}

/** The route of a topic and what its levels captured, or null when no entry takes it. */
export function routeOf(routes: readonly Route[], topic: string): { route: Route; captures: Captures } | null {
  for (const route of routes) {
    const all = route.pattern.match(topic);
    if (all === null) continue;
    // Sparkplug names the asset inside the topic's device level, not by a capture.
    const asset = all.asset ?? (route.kind === 'sparkplug' ? '' : undefined);
    if (asset !== undefined) return { route, captures: { asset, line: all.line ?? null, all } };
  }
  return null;
}

/** The bounds a message arriving at `receivedAt` must keep. */
export function limitsAt(config: IngestConfig, receivedAt: number): Limits {
  return {
    maxPayload: config.limits.max_payload,
    maxFields: config.limits.max_fields,
    latestTs: receivedAt + config.limits.max_future,
    earliestTs: receivedAt - config.retentionMs,
  };
}

/** What the routed message becomes, judged as ingest judges it. */
export function judge(routed: { route: Route; captures: Captures }, topic: string, payload: Buffer, receivedAt: number, limits: Limits): Judged {
  const { route, captures } = routed;
  switch (route.kind) {
    case 'sparkplug': {
      const result = route.decoder.decode(topic, payload, receivedAt, limits, route.fields);
      if (result.kind === 'ignored') return { kind: 'nothing', detail: result.detail };
      if (result.kind === 'rejected') return { kind: 'rejected', rejection: result.rejection, ...(result.rebirth ? { rebirth: result.rebirth } : {}) };
      return { kind: 'readings', readings: result.readings, ...(result.rebirth ? { rebirth: result.rebirth } : {}) };
    }
    case 'fault': {
      const fault = parseFault(payload, route.timestamp, receivedAt, limits);
      if ('reason' in fault) return { kind: 'rejected', rejection: fault };
      return { kind: 'fault', fault: { asset: captures.asset, line: captures.line, ts: fault.ts, fields: fault.fields } };
    }
    case 'telemetry': {
      const parsed = parseTelemetry(payload, captures.all, route.format, receivedAt, limits);
      if ('reason' in parsed) return { kind: 'rejected', rejection: parsed };
      return { kind: 'readings', readings: parsed.readings.map((r) => ({ asset: captures.asset, line: captures.line, sensor: r.sensor, ts: r.ts, value: r.value })) };
    }
  }
}

/** A decoder when some telemetry is Sparkplug; loaded only then (protobufjs and the schema: ~12 MB). */
export async function sparkplugDecoderFor(config: Pick<Config, 'telemetry' | 'sparkplug' | 'agent'>): Promise<SparkplugDecoder | undefined> {
  if (!config.telemetry.some((t) => t.format === 'sparkplug')) return undefined;
  const { SparkplugDecoder } = await import('../sparkplug/decoder.js');
  const { sparkplug, agent } = config;
  // faultline's own Sparkplug output must not come back in as telemetry.
  return new SparkplugDecoder({ ownNode: sparkplug.enabled ? { group: sparkplug.group_id, node: sparkplug.edge_node_id ?? agent.id } : null });
}

/** The asset (and line) a topic names; `all` holds every capture, for +sensor. */
interface Captures {
  readonly asset: string;
  readonly line: string | null;
  readonly all: Readonly<Record<string, string>>;
}
