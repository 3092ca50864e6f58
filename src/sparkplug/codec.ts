// Sparkplug B payloads to and from plain objects, through protobufjs and the checked-in
// sparkplug_b.proto. Owns the datatype-to-value-field mapping and 64-bit handling; knows nothing of
// topics, sequence rules or MQTT.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { errorMessage } from '../error-message.js';

/** Sparkplug B datatypes [Sparkplug 3.0 §6.4.16]. */
export const DataType = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
  UUID: 15,
  DataSet: 16,
  Bytes: 17,
  File: 18,
  Template: 19,
  PropertySet: 20,
  PropertySetList: 21,
} as const;

export type ScalarValue = number | boolean | string;

export interface PropertyValue {
  type: number;
  /** null when is_null is set or the type is not a scalar (nested property sets are not read). */
  value: ScalarValue | null;
}

export interface Metric {
  name?: string;
  alias?: number;
  /** Epoch ms. */
  timestamp?: number;
  /** Required to encode a value; absent on decode when the sender left it out (DATA messages may). */
  datatype?: number;
  /** null for is_null metrics and for types this codec does not read (DataSet, Template, Bytes, arrays). */
  value: ScalarValue | null;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  properties?: Record<string, PropertyValue>;
}

export interface Payload {
  /** Epoch ms. */
  timestamp?: number;
  seq?: number;
  uuid?: string;
  metrics: Metric[];
}

export interface SparkplugCodec {
  encode(payload: Payload): Buffer;
  /** Throws PayloadError when the bytes are not a Sparkplug B payload. */
  decode(bytes: Uint8Array): Payload;
}

export class PayloadError extends Error {
  override name = 'PayloadError';
}

const PROTO_FILE = 'sparkplug_b.proto';

/**
 * Where the schema is: beside this module when run from src/ (vitest) or when a build copied it,
 * else src/sparkplug/ seen from dist/sparkplug/ (tsc emits only .ts, and the package ships src/).
 */
export function findProtoFile(): string {
  const candidates = [new URL(`./${PROTO_FILE}`, import.meta.url), new URL(`../../src/sparkplug/${PROTO_FILE}`, import.meta.url)];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return path;
  }
  throw new Error(`cannot find ${PROTO_FILE} beside ${fileURLToPath(import.meta.url)} or in src/sparkplug/; reinstall faultline`);
}

/** Loads the schema once per codec; cheap enough to create one per component. */
export function createCodec(protoFile: string = findProtoFile()): SparkplugCodec {
  const { root } = protobuf.parse(readFileSync(protoFile, 'utf8'), { keepCase: false });
  const payloadType = root.lookupType('org.eclipse.tahu.protobuf.Payload');
  return {
    encode: (payload) => Buffer.from(payloadType.encode(payloadType.fromObject(toWire(payload))).finish()),
    decode: (bytes) => {
      let object: WirePayload;
      try {
        const message = payloadType.decode(bytes);
        object = payloadType.toObject(message, { longs: String, enums: Number, bytes: Array, defaults: false, oneofs: false });
      } catch (error) {
        throw new PayloadError(`not a Sparkplug B payload: ${errorMessage(error)}`);
      }
      return fromWire(object);
    },
  };
}

// --- the wire shape: what protobufjs' fromObject/toObject speak (camelCase; uint64 as decimal strings)

type WireLong = string | number;

interface WireValueFields {
  intValue?: number;
  longValue?: WireLong;
  floatValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  stringValue?: string;
}

interface WirePropertyValue extends WireValueFields {
  type?: number;
  isNull?: boolean;
}

interface WirePropertySet {
  keys?: string[];
  values?: WirePropertyValue[];
}

interface WireMetric extends WireValueFields {
  name?: string;
  alias?: WireLong;
  timestamp?: WireLong;
  datatype?: number;
  isHistorical?: boolean;
  isTransient?: boolean;
  isNull?: boolean;
  properties?: WirePropertySet;
}

interface WirePayload {
  timestamp?: WireLong;
  seq?: WireLong;
  uuid?: string;
  metrics?: WireMetric[];
}

function toWire(payload: Payload): WirePayload {
  const wire: WirePayload = { metrics: payload.metrics.map(metricToWire) };
  if (payload.timestamp !== undefined) wire.timestamp = unsigned64(payload.timestamp);
  if (payload.seq !== undefined) wire.seq = unsigned64(payload.seq);
  if (payload.uuid !== undefined) wire.uuid = payload.uuid;
  return wire;
}

function metricToWire(metric: Metric): WireMetric {
  const wire: WireMetric = {};
  if (metric.name !== undefined) wire.name = metric.name;
  if (metric.alias !== undefined) wire.alias = unsigned64(metric.alias);
  if (metric.timestamp !== undefined) wire.timestamp = unsigned64(metric.timestamp);
  if (metric.datatype !== undefined) wire.datatype = metric.datatype;
  if (metric.isHistorical) wire.isHistorical = true;
  if (metric.isTransient) wire.isTransient = true;
  if (metric.properties) wire.properties = propertiesToWire(metric.properties);
  // undefined too: a value missing in plain JavaScript is no value, never the string "undefined" or NaN.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the types say never; callers built from JSON can
  if (metric.value === null || metric.value === undefined || metric.isNull) {
    // [tck-id-operational-behavior-data-publish-dbirth-values] a null value: is_null and no value field
    wire.isNull = true;
    return wire;
  }
  if (metric.datatype === undefined) throw new Error(`metric ${metric.name ?? metric.alias ?? '?'} has a value but no datatype`);
  Object.assign(wire, valueToWire(metric.datatype, metric.value));
  return wire;
}

function propertiesToWire(properties: Record<string, PropertyValue>): WirePropertySet {
  const keys = Object.keys(properties);
  // [tck-id-payloads-propertyset-keys-array-size] one value per key, in the same order
  const values = keys.map((key): WirePropertyValue => {
    const property = properties[key]!;
    if (property.value === null) return { type: property.type, isNull: true };
    return { type: property.type, ...valueToWire(property.type, property.value) };
  });
  return { keys, values };
}

/** Which protobuf field carries a value of each datatype [Sparkplug 3.0 §6.4.17]. */
function valueToWire(datatype: number, value: ScalarValue): WireValueFields {
  switch (datatype) {
    case DataType.Int8:
    case DataType.Int16:
    case DataType.Int32:
    case DataType.UInt8:
    case DataType.UInt16:
      // Signed values travel as their 32-bit two's complement in the uint32 field.
      return { intValue: Number(value) >>> 0 };
    case DataType.Int64:
    case DataType.UInt32: // long_value, as both Tahu libraries (Java and JS) write and read it
    case DataType.UInt64:
    case DataType.DateTime:
      return { longValue: unsigned64(Number(value)) };
    case DataType.Float:
      return { floatValue: Number(value) };
    case DataType.Double:
      return { doubleValue: Number(value) };
    case DataType.Boolean:
      return { booleanValue: Boolean(value) };
    case DataType.String:
    case DataType.Text:
    case DataType.UUID:
      return { stringValue: String(value) };
    default:
      throw new Error(`datatype ${datatype} is not a scalar this codec can encode`);
  }
}

function fromWire(wire: WirePayload): Payload {
  const payload: Payload = { metrics: (wire.metrics ?? []).map(metricFromWire) };
  if (wire.timestamp !== undefined) payload.timestamp = fromUnsigned64(wire.timestamp);
  if (wire.seq !== undefined) payload.seq = fromUnsigned64(wire.seq);
  if (wire.uuid !== undefined) payload.uuid = wire.uuid;
  return payload;
}

function metricFromWire(wire: WireMetric): Metric {
  const metric: Metric = { value: wire.isNull ? null : valueFromWire(wire.datatype, wire) };
  if (wire.name !== undefined) metric.name = wire.name;
  if (wire.alias !== undefined) metric.alias = fromUnsigned64(wire.alias);
  if (wire.timestamp !== undefined) metric.timestamp = fromUnsigned64(wire.timestamp);
  if (wire.datatype !== undefined) metric.datatype = wire.datatype;
  if (wire.isHistorical !== undefined) metric.isHistorical = wire.isHistorical;
  if (wire.isTransient !== undefined) metric.isTransient = wire.isTransient;
  if (wire.isNull !== undefined) metric.isNull = wire.isNull;
  if (wire.properties) metric.properties = propertiesFromWire(wire.properties);
  return metric;
}

function propertiesFromWire(wire: WirePropertySet): Record<string, PropertyValue> {
  const properties: Record<string, PropertyValue> = {};
  (wire.keys ?? []).forEach((key, i) => {
    const value = wire.values?.[i];
    if (!value) return;
    properties[key] = { type: value.type ?? DataType.Unknown, value: value.isNull ? null : valueFromWire(value.type, value) };
  });
  return properties;
}

/**
 * Reads whichever value field is set (senders disagree on some, e.g. UInt32) and applies the sign
 * the datatype gives it. 64-bit values beyond 2^53 lose precision as JavaScript numbers.
 */
function valueFromWire(datatype: number | undefined, wire: WireValueFields): ScalarValue | null {
  if (wire.intValue !== undefined) {
    const signed = datatype === DataType.Int8 || datatype === DataType.Int16 || datatype === DataType.Int32;
    return signed ? wire.intValue | 0 : wire.intValue >>> 0;
  }
  if (wire.longValue !== undefined) {
    const bits = BigInt(wire.longValue);
    return Number(datatype === DataType.Int64 ? BigInt.asIntN(64, bits) : BigInt.asUintN(64, bits));
  }
  if (wire.floatValue !== undefined) return wire.floatValue;
  if (wire.doubleValue !== undefined) return wire.doubleValue;
  if (wire.booleanValue !== undefined) return wire.booleanValue;
  if (wire.stringValue !== undefined) return wire.stringValue;
  return null;
}

/** A number as the decimal string of its unsigned 64-bit two's complement (exact for protobufjs). */
function unsigned64(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`${value} cannot be sent as a 64-bit integer`);
  return BigInt.asUintN(64, BigInt(Math.trunc(value))).toString();
}

function fromUnsigned64(value: WireLong): number {
  return Number(BigInt.asUintN(64, BigInt(value)));
}
