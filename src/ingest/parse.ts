// Turns one MQTT message into readings, a fault, or a rejection with its reason. Pure: no clock (the
// caller passes arrival time), no I/O. Cheap checks first, before parsing anything (size, topic).
import type { Rejection } from './reasons.js';
import { readTimestamp } from './timestamp.js';
import { errorMessage } from '../error-message.js';

export interface Reading {
  sensor: string;
  ts: number;
  value: number;
}

export interface Limits {
  maxPayload: number;
  maxFields: number;
  /** Latest acceptable timestamp (arrival + max_future). */
  latestTs: number;
  /** Earliest acceptable timestamp (arrival − retention). */
  earliestTs: number;
}

export interface TelemetryFormat {
  format: 'json' | 'value';
  timestamp: string | null;
  fields: readonly string[] | null;
}

export type TelemetryResult = { readings: Reading[] } | Rejection;
export type FaultResult = { ts: number; fields: Record<string, unknown> } | Rejection;

export function parseTelemetry(
  payload: Buffer,
  captures: Readonly<Record<string, string>>,
  format: TelemetryFormat,
  arrival: number,
  limits: Limits,
): TelemetryResult {
  if (payload.length > limits.maxPayload) return tooLarge(payload, limits);
  if (format.format === 'value') return parseValue(payload, captures, arrival, limits);
  const parsed = parseObject(payload);
  if (!('object' in parsed)) return parsed;
  const { object } = parsed;
  const ts = timestampOf(object, format.timestamp, arrival, limits);
  if (typeof ts !== 'number') return ts;

  const names = format.fields ?? Object.keys(object).filter((key) => key !== format.timestamp);
  if (names.length > limits.maxFields) {
    return { reason: 'too_many_fields', detail: `${names.length} fields; at most ${limits.maxFields} per message` };
  }
  const readings: Reading[] = [];
  for (const sensor of names) {
    const value = object[sensor];
    if (value === undefined && format.fields) continue; // a listed sensor may be absent from a message
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return { reason: 'bad_value', detail: `${clip(sensor)} is ${describe(value)}, not a finite number` };
    }
    readings.push({ sensor, ts, value });
  }
  if (readings.length === 0) return { reason: 'no_readings', detail: 'the message holds no sensor values' };
  return { readings };
}

export function parseFault(
  payload: Buffer,
  timestampField: string | null,
  arrival: number,
  limits: Limits,
): FaultResult {
  if (payload.length > limits.maxPayload) return tooLarge(payload, limits);
  if (payload.toString('utf8').trim() === '') return { ts: arrival, fields: {} };
  const parsed = parseObject(payload);
  if (!('object' in parsed)) return parsed;
  const { object } = parsed;
  const ts = timestampOf(object, timestampField, arrival, limits);
  if (typeof ts !== 'number') return ts;
  const fields = { ...object };
  if (timestampField) delete fields[timestampField];
  return { ts, fields };
}

function parseValue(payload: Buffer, captures: Readonly<Record<string, string>>, arrival: number, limits: Limits): TelemetryResult {
  const sensor = captures.sensor;
  if (!sensor) return { reason: 'unknown_topic', detail: 'the topic has no +sensor level to name the sensor' };
  const text = payload.toString('utf8').trim();
  const value = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) return { reason: 'bad_value', detail: `"${clip(text)}" is not a finite number` };
  const ts = checkRange(arrival, limits);
  return typeof ts === 'number' ? { readings: [{ sensor, ts, value }] } : ts;
}

function parseObject(payload: Buffer): { object: Record<string, unknown> } | Rejection {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return { reason: 'not_json', detail: clip(errorMessage(error), 120) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { reason: 'not_object', detail: `the payload is ${describe(parsed)}, not a JSON object` };
  }
  return { object: parsed as Record<string, unknown> };
}

function timestampOf(object: Record<string, unknown>, field: string | null, arrival: number, limits: Limits): number | Rejection {
  if (field === null || object[field] === undefined) return checkRange(arrival, limits);
  const result = readTimestamp(object[field]);
  if ('problem' in result) return { reason: 'bad_timestamp', detail: `${clip(field)} ${result.problem}` };
  return checkRange(result.ts, limits);
}

function checkRange(ts: number, limits: Limits): number | Rejection {
  if (ts > limits.latestTs) {
    return { reason: 'future_timestamp', detail: `${new Date(ts).toISOString()} is ahead of this gateway's clock by more than ingest.max_future` };
  }
  if (ts < limits.earliestTs) {
    return { reason: 'too_old', detail: `${new Date(ts).toISOString()} is older than storage.retention` };
  }
  return ts;
}

function tooLarge(payload: Buffer, limits: Limits): Rejection {
  return { reason: 'too_large', detail: `${payload.length} bytes; ingest.max_payload is ${limits.maxPayload}` };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `"${clip(value)}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
