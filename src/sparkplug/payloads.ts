// What faultline says as a Sparkplug edge node: the metrics of its NBIRTH/NDATA/NDEATH and of each
// asset's DBIRTH/DDATA, the rebirth command, and the primary host's STATE. Pure builders and parsers;
// no sequence bookkeeping, clock or MQTT (edge-node.ts owns those).
import { DataType, type Metric, type Payload, type PropertyValue } from './codec.js';

export const BD_SEQ = 'bdSeq';
export const REBIRTH = 'Node Control/Rebirth';

/** Level of a prediction as the contract numbers it: 0 ok, 1 warning, 2 alarm. */
export type Level = 0 | 1 | 2;

export interface NodeMetrics {
  modelVersion: string | null;
  /** Held-out RMSE of the serving model, seconds. */
  rmse: number | null;
  readingsStored: number;
}

/** The current values of one asset (a Sparkplug device). */
export interface DeviceValues {
  /** Event time of the prediction (ms): the metrics' timestamp. */
  ts: number;
  risk: number;
  timeToFaultS: number;
  level: Level;
  modelVersion: string;
}

export type DeviceMetric = keyof Omit<DeviceValues, 'ts'>;

const text = (value: string): PropertyValue => ({ type: DataType.String, value });
const real = (value: number): PropertyValue => ({ type: DataType.Double, value });

/**
 * A Double metric's value: NaN, ±Infinity and undefined are no value, sent as is_null
 * [tck-id-operational-behavior-data-publish-nbirth-values], never as a number a host would chart.
 */
const double = (value: number | null | undefined): number | null => (value !== null && value !== undefined && Number.isFinite(value) ? value : null);

/**
 * Node metrics from an update written in plain JavaScript: a key left out keeps its value, and an
 * explicit undefined (`champion?.version` before a first model) means no value, not "undefined".
 */
export function nodeUpdate(update: Partial<NodeMetrics>): Partial<NodeMetrics> {
  const out: Partial<NodeMetrics> = {};
  if ('modelVersion' in update) out.modelVersion = update.modelVersion ?? null;
  if ('rmse' in update) out.rmse = double(update.rmse);
  if (update.readingsStored !== undefined && Number.isFinite(update.readingsStored)) out.readingsStored = update.readingsStored;
  return out;
}

/** Property keys are the tag properties Ignition's MQTT Engine maps by name (engUnit, engLow, ...). */
function deviceProperties(horizonS: number): Record<DeviceMetric, Record<string, PropertyValue>> {
  return {
    risk: { engUnit: text(''), engLow: real(0), engHigh: real(1), documentation: text('1 - time_to_fault_s / horizon, in [0, 1]') },
    timeToFaultS: {
      engUnit: text('s'),
      engLow: real(0),
      engHigh: real(horizonS),
      documentation: text('predicted time to the next fault, capped at the horizon'),
    },
    level: { engLow: real(0), engHigh: real(2), documentation: text('0 ok, 1 warning, 2 alarm') },
    modelVersion: { documentation: text('version of the model that made the prediction') },
  };
}

const DEVICE_METRICS: ReadonlyArray<{ key: DeviceMetric; name: string; datatype: number }> = [
  { key: 'risk', name: 'risk', datatype: DataType.Double },
  { key: 'timeToFaultS', name: 'time_to_fault_s', datatype: DataType.Double },
  { key: 'level', name: 'level', datatype: DataType.Int32 },
  { key: 'modelVersion', name: 'model_version', datatype: DataType.String },
];

/** Every device metric, in the order of the DBIRTH. */
export const DEVICE_METRIC_KEYS: readonly DeviceMetric[] = DEVICE_METRICS.map(({ key }) => key);

/**
 * NBIRTH: seq 0 [tck-id-topics-nbirth-seq-num], the bdSeq of this connection's Will
 * [tck-id-topics-nbirth-bdseq-matching] as Int64 [tck-id-message-flow-edge-node-birth-publish-nbirth-payload-bdSeq],
 * Node Control/Rebirth false without alias [tck-id-operational-behavior-data-commands-rebirth-value],
 * and every node metric with a timestamp [tck-id-payloads-name-birth-data-requirement].
 */
export function nodeBirth(bdSeq: number, now: number, node: NodeMetrics): Payload {
  return {
    timestamp: now,
    seq: 0,
    metrics: [
      { name: BD_SEQ, timestamp: now, datatype: DataType.Int64, value: bdSeq },
      { name: REBIRTH, timestamp: now, datatype: DataType.Boolean, value: false },
      ...nodeMetrics(now, node, true),
    ],
  };
}

/** NDEATH: only the bdSeq metric [tck-id-topics-ndeath-payload], no seq [tck-id-topics-ndeath-seq]. */
export function nodeDeath(bdSeq: number, now: number): Payload {
  return { timestamp: now, metrics: [{ name: BD_SEQ, timestamp: now, datatype: DataType.Int64, value: bdSeq }] };
}

/** NDATA with the node metrics that changed [tck-id-topics-ndata-payload]; null when none did. */
export function nodeData(seq: number, now: number, before: NodeMetrics, after: NodeMetrics): Payload | null {
  const changed = nodeMetrics(now, after, false).filter((metric) => {
    const key = NODE_METRIC_KEYS[metric.name as keyof typeof NODE_METRIC_KEYS];
    return before[key] !== after[key];
  });
  return changed.length === 0 ? null : { timestamp: now, seq, metrics: changed };
}

const NODE_METRIC_KEYS = { model_version: 'modelVersion', rmse: 'rmse', readings_stored: 'readingsStored' } as const;

function nodeMetrics(now: number, node: NodeMetrics, birth: boolean): Metric[] {
  const metrics: Metric[] = [
    { name: 'model_version', timestamp: now, datatype: DataType.String, value: node.modelVersion },
    { name: 'rmse', timestamp: now, datatype: DataType.Double, value: double(node.rmse) },
    { name: 'readings_stored', timestamp: now, datatype: DataType.UInt64, value: node.readingsStored },
  ];
  if (birth) {
    metrics[0]!.properties = { documentation: text('version of the serving model') };
    metrics[1]!.properties = { engUnit: text('s'), documentation: text('held-out RMSE of the serving model') };
    metrics[2]!.properties = { documentation: text('readings stored in the buffer') };
  }
  return metrics;
}

function deviceValue(values: DeviceValues, key: DeviceMetric, datatype: number): string | number | null {
  const value = values[key];
  return typeof value === 'number' && datatype === DataType.Double ? double(value) : value;
}

/**
 * DBIRTH: every metric the device will report, with its current value or is_null
 * [tck-id-operational-behavior-data-publish-dbirth-values], and the units as properties.
 */
export function deviceBirth(seq: number, now: number, values: DeviceValues | null, horizonS: number): Payload {
  const properties = deviceProperties(horizonS);
  return {
    timestamp: now,
    seq,
    metrics: DEVICE_METRICS.map(({ key, name, datatype }) => ({
      name,
      timestamp: values?.ts ?? now,
      datatype,
      value: values ? deviceValue(values, key, datatype) : null,
      properties: properties[key],
    })),
  };
}

/**
 * DDATA: `options.metrics` of the prediction, at its event time; a subset of the DBIRTH's metrics
 * is what report by exception sends [tck-id-topics-ddata-payload]. The datatype is kept although the
 * spec says it SHOULD NOT be [tck-id-payloads-metric-datatype-not-req]: the Tahu JS decoder reads no
 * value without it.
 */
export function deviceData(seq: number, now: number, values: DeviceValues, options: { historical: boolean; metrics: readonly DeviceMetric[] }): Payload {
  const metrics = DEVICE_METRICS.filter(({ key }) => options.metrics.includes(key)).map(
    ({ key, name, datatype }): Metric => ({
      name,
      timestamp: values.ts,
      datatype,
      value: deviceValue(values, key, datatype),
      ...(options.historical ? { isHistorical: true } : {}),
    }),
  );
  return { timestamp: now, seq, metrics };
}

/** A host's rebirth request [tck-id-operational-behavior-data-commands-ncmd-rebirth-name], [...-ncmd-rebirth-value]. */
export function rebirthRequest(now: number): Payload {
  return { timestamp: now, metrics: [{ name: REBIRTH, timestamp: now, datatype: DataType.Boolean, value: true }] };
}

export function isRebirthRequest(payload: Payload): boolean {
  return payload.metrics.some((metric) => metric.name === REBIRTH && metric.value === true);
}

export interface HostState {
  online: boolean;
  timestamp: number;
}

/** Sparkplug 3.0 STATE payload: JSON `{"online": true|false, "timestamp": ms}`; null when it is not one. */
export function parseHostState(payload: Buffer): HostState | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { online, timestamp } = parsed as Record<string, unknown>;
  if (typeof online !== 'boolean' || typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return null;
  return { online, timestamp };
}
