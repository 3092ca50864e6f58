// Sparkplug B telemetry in: NBIRTH, DBIRTH, NDATA and DDATA become readings, metric names resolved
// through the aliases of each edge node's and device's birth certificate. Stateful, but no I/O and no
// clock (the caller passes arrival time); a needed rebirth request is returned for the caller to publish.
import type { Limits } from '../ingest/parse.js';
import type { Rejection } from '../ingest/reasons.js';
import { createCodec, DataType, PayloadError, type Metric, type Payload, type SparkplugCodec } from './codec.js';
import { BD_SEQ, rebirthRequest } from './payloads.js';
import { SPARKPLUG_TOPIC_SHAPE, parseSparkplugTopic, sparkplugNodeTopic } from '../topics/contract.js';

export interface SparkplugReading {
  /** The device id; the edge node id for node-level metrics. */
  asset: string;
  /** The Sparkplug group id. */
  line: string;
  sensor: string;
  ts: number;
  value: number;
}

/** An NCMD `Node Control/Rebirth` = true, to publish as is (QoS 0, not retained [tck-id-topics-ncmd-mqtt]). */
export interface RebirthRequest {
  topic: string;
  payload: Buffer;
  qos: 0;
  retain: false;
}

export type DecodeResult =
  | { kind: 'readings'; readings: SparkplugReading[]; rebirth?: RebirthRequest }
  | { kind: 'rejected'; rejection: Rejection; rebirth?: RebirthRequest }
  /** Understood, nothing to store: deaths, commands, STATE, faultline's own node, births without numbers. */
  | { kind: 'ignored'; detail: string };

export interface DecoderOptions {
  codec?: SparkplugCodec;
  /** faultline's own edge node, whose messages must not be read back as telemetry. */
  ownNode?: { group: string; node: string } | null;
  /** At most one rebirth request per edge node per this much arrival time (ms). Default 5 s. */
  rebirthIntervalMs?: number;
}

export interface DecoderCounters {
  seqGaps: number;
  rebirthRequests: number;
}

interface NodeState {
  born: boolean;
  bdSeq: number | null;
  lastSeq: number | null;
  aliases: Map<number, string>;
  /** Alias maps of the devices born since the node's NBIRTH. */
  devices: Map<string, Map<number, string>>;
  lastRebirthAt: number;
}

/** Node and device control metrics are not measurements. */
const CONTROL = /^(Node Control|Device Control)\//;

export class SparkplugDecoder {
  readonly counters: DecoderCounters = { seqGaps: 0, rebirthRequests: 0 };
  private readonly codec: SparkplugCodec;
  private readonly nodes = new Map<string, NodeState>();
  private readonly rebirthIntervalMs: number;

  constructor(private readonly options: DecoderOptions = {}) {
    this.codec = options.codec ?? createCodec();
    this.rebirthIntervalMs = options.rebirthIntervalMs ?? 5_000;
  }

  /** `fields`, when set, keeps only metrics of those names (as `fields` does for JSON telemetry). */
  decode(topic: string, payload: Buffer, arrival: number, limits: Limits, fields: readonly string[] | null = null): DecodeResult {
    if (payload.length > limits.maxPayload) {
      return rejected({ reason: 'too_large', detail: `${payload.length} bytes; ingest.max_payload is ${limits.maxPayload}` });
    }
    const parsed = parseSparkplugTopic(topic);
    if (!parsed) return rejected({ reason: 'unknown_topic', detail: `not a Sparkplug B topic (${SPARKPLUG_TOPIC_SHAPE})` });
    if (parsed.kind === 'state') return { kind: 'ignored', detail: 'host application STATE' };
    const own = this.options.ownNode;
    if (own && own.group === parsed.group && own.node === parsed.node) return { kind: 'ignored', detail: "faultline's own edge node" };
    if (parsed.type === 'NCMD' || parsed.type === 'DCMD') return { kind: 'ignored', detail: 'a command, not telemetry' };

    let message: Payload;
    try {
      message = this.codec.decode(payload);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      return rejected({ reason: 'not_sparkplug', detail: clip(error.message, 120) });
    }
    const key = `${parsed.group}/${parsed.node}`;
    const { group, node } = parsed;
    const requestRebirth = (): RebirthRequest | undefined => this.rebirth(key, group, node, arrival);
    const read = (asset: string, nameOf: (metric: Metric) => string | undefined): DecodeResult =>
      this.readings(message, asset, group, nameOf, arrival, limits, fields);

    if (parsed.type === 'NBIRTH') {
      // A new session of the node: its aliases, and every device's, start over [tck-id-topics-nbirth-seq-num].
      const state = this.nodeState(key);
      state.born = true;
      state.bdSeq = numberOf(message.metrics.find((m) => m.name === BD_SEQ)) ?? null;
      state.lastSeq = message.seq ?? null;
      state.aliases = aliasesOf(message.metrics);
      state.devices.clear();
      return read(node, (m) => m.name);
    }
    if (parsed.type === 'NDEATH') {
      const state = this.nodes.get(key);
      const bdSeq = numberOf(message.metrics.find((m) => m.name === BD_SEQ));
      // An NDEATH whose bdSeq is not the current session's is a stale Will [tck-id-payloads-ndeath-bdseq].
      if (state && (state.bdSeq === null || bdSeq === undefined || bdSeq === state.bdSeq)) this.nodes.delete(key);
      return { kind: 'ignored', detail: 'edge node death' };
    }

    const state = this.nodes.get(key);
    if (!state?.born) return rejected({ reason: 'sparkplug_no_birth', detail: `${parsed.type} from ${key} before its NBIRTH` }, requestRebirth());
    const onGap = this.seqGap(state, message.seq) ? requestRebirth() : undefined;

    if (parsed.kind === 'node') {
      // NDATA
      return withRebirth(this.resolve(message, state.aliases, key, requestRebirth) ?? read(node, byAlias(state.aliases)), onGap);
    }
    const { device } = parsed;
    if (parsed.type === 'DBIRTH') {
      state.devices.set(device, aliasesOf(message.metrics));
      return withRebirth(read(device, (m) => m.name), onGap);
    }
    if (parsed.type === 'DDEATH') {
      state.devices.delete(device);
      return { kind: 'ignored', detail: 'device death' };
    }
    // DDATA
    const aliases = state.devices.get(device);
    if (!aliases) {
      return withRebirth(rejected({ reason: 'sparkplug_no_birth', detail: `DDATA from ${key}/${device} before its DBIRTH` }, requestRebirth()), onGap);
    }
    return withRebirth(this.resolve(message, aliases, `${key}/${device}`, requestRebirth) ?? read(device, byAlias(aliases)), onGap);
  }

  private nodeState(key: string): NodeState {
    let state = this.nodes.get(key);
    if (!state) {
      state = { born: false, bdSeq: null, lastSeq: null, aliases: new Map(), devices: new Map(), lastRebirthAt: -Infinity };
      this.nodes.set(key, state);
    }
    return state;
  }

  /** True on a gap in the node's seq, which wraps from 255 to 0 [tck-id-payloads-sequence-num-incrementing]. */
  private seqGap(state: NodeState, seq: number | undefined): boolean {
    if (seq === undefined) return false;
    const expected = state.lastSeq === null ? seq : (state.lastSeq + 1) % 256;
    state.lastSeq = seq;
    if (seq === expected) return false;
    this.counters.seqGaps++;
    return true;
  }

  /**
   * Host applications ask for a rebirth when they cannot make sense of a node's data
   * [tck-id-operational-behavior-host-reordering-rebirth], [tck-id-operational-behavior-data-commands-ncmd-rebirth-verb];
   * at most one per node per interval, so a stream of orphan DATA does not become a stream of commands.
   */
  private rebirth(key: string, group: string, node: string, arrival: number): RebirthRequest | undefined {
    const state = this.nodeState(key);
    if (arrival - state.lastRebirthAt < this.rebirthIntervalMs) return undefined;
    state.lastRebirthAt = arrival;
    this.counters.rebirthRequests++;
    return { topic: sparkplugNodeTopic(group, 'NCMD', node), payload: this.codec.encode(rebirthRequest(arrival)), qos: 0, retain: false };
  }

  /** A rejection when a DATA metric names an alias its birth certificate did not define; else null. */
  private resolve(
    message: Payload,
    aliases: ReadonlyMap<number, string>,
    source: string,
    requestRebirth: () => RebirthRequest | undefined,
  ): DecodeResult | null {
    const unknown = message.metrics.find((m) => m.name === undefined && (m.alias === undefined || !aliases.has(m.alias)));
    if (!unknown) return null;
    return rejected(
      { reason: 'sparkplug_unknown_alias', detail: `alias ${unknown.alias ?? '(none)'} is not in the birth certificate of ${source}` },
      requestRebirth(),
    );
  }

  private readings(
    message: Payload,
    asset: string,
    line: string,
    nameOf: (metric: Metric) => string | undefined,
    arrival: number,
    limits: Limits,
    fields: readonly string[] | null,
  ): DecodeResult {
    const readings: SparkplugReading[] = [];
    for (const metric of message.metrics) {
      const sensor = nameOf(metric);
      if (sensor === undefined || sensor === BD_SEQ || CONTROL.test(sensor)) continue;
      if (fields && !fields.includes(sensor)) continue;
      const value = measurement(metric);
      if (value === null) continue;
      const ts = metric.timestamp ?? message.timestamp ?? arrival;
      if (ts > limits.latestTs) {
        return rejected({ reason: 'future_timestamp', detail: `${new Date(ts).toISOString()} is ahead of this gateway's clock by more than ingest.max_future` });
      }
      if (ts < limits.earliestTs) return rejected({ reason: 'too_old', detail: `${new Date(ts).toISOString()} is older than storage.retention` });
      readings.push({ asset, line, sensor, ts, value });
    }
    if (readings.length > limits.maxFields) {
      return rejected({ reason: 'too_many_fields', detail: `${readings.length} metrics; at most ${limits.maxFields} per message` });
    }
    if (readings.length === 0) return { kind: 'ignored', detail: 'no numeric or boolean metrics' };
    return { kind: 'readings', readings };
  }
}

/** Numbers and booleans are readings; strings, DateTime, nulls and NaN are not. */
function measurement(metric: Metric): number | null {
  if (metric.isNull || metric.datatype === DataType.DateTime) return null;
  if (typeof metric.value === 'boolean') return metric.value ? 1 : 0;
  if (typeof metric.value === 'number' && Number.isFinite(metric.value)) return metric.value;
  return null;
}

function aliasesOf(metrics: readonly Metric[]): Map<number, string> {
  const aliases = new Map<number, string>();
  for (const m of metrics) if (m.name !== undefined && m.alias !== undefined) aliases.set(m.alias, m.name);
  return aliases;
}

function numberOf(metric: Metric | undefined): number | undefined {
  return typeof metric?.value === 'number' ? metric.value : undefined;
}

function rejected(rejection: Rejection, rebirth?: RebirthRequest): DecodeResult {
  return rebirth ? { kind: 'rejected', rejection, rebirth } : { kind: 'rejected', rejection };
}

/** Adds a rebirth request (from a seq gap) to a result that has none yet. */
function withRebirth(result: DecodeResult, rebirth: RebirthRequest | undefined): DecodeResult {
  if (!rebirth || result.kind === 'ignored' || result.rebirth) return result;
  return { ...result, rebirth };
}

function byAlias(aliases: ReadonlyMap<number, string>): (metric: Metric) => string | undefined {
  return (metric) => metric.name ?? (metric.alias === undefined ? undefined : aliases.get(metric.alias));
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
