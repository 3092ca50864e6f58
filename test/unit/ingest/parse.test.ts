import { describe, expect, it } from 'vitest';
import { parseFault, parseTelemetry, type Limits, type TelemetryFormat } from '../../../src/ingest/parse.js';

const NOW = Date.UTC(2025, 10, 28, 8, 0, 0);
const limits: Limits = { maxPayload: 1024, maxFields: 4, latestTs: NOW + 300_000, earliestTs: NOW - 86_400_000 };
const json: TelemetryFormat = { format: 'json', timestamp: 'ts', fields: null };
const buf = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const telemetry = (payload: unknown, format = json, captures: Record<string, string> = { asset: 'press3' }) =>
  parseTelemetry(buf(payload), captures, format, NOW, limits);

describe('parseTelemetry, json', () => {
  it('turns each numeric field into a reading at the payload time', () => {
    expect(telemetry({ ts: NOW - 1000, temperature: 71.2, vibration: 0.031 })).toEqual({
      readings: [
        { sensor: 'temperature', ts: NOW - 1000, value: 71.2 },
        { sensor: 'vibration', ts: NOW - 1000, value: 0.031 },
      ],
    });
  });

  it('takes the arrival time when the payload has no timestamp', () => {
    expect(telemetry({ temperature: 1 })).toEqual({ readings: [{ sensor: 'temperature', ts: NOW, value: 1 }] });
    expect(telemetry({ temperature: 1 }, { ...json, timestamp: null })).toEqual({ readings: [{ sensor: 'temperature', ts: NOW, value: 1 }] });
  });

  it('keeps only the configured fields, ignoring the others', () => {
    const result = telemetry({ ts: NOW, temperature: 1, status: 'RUN', vibration: 2 }, { ...json, fields: ['temperature', 'current'] });
    expect(result).toEqual({ readings: [{ sensor: 'temperature', ts: NOW, value: 1 }] });
  });

  it.each([
    ['not JSON', 'temperature=71', 'not_json'],
    ['truncated JSON', '{"temperature": 7', 'not_json'],
    ['a JSON number', '71.2', 'not_object'],
    ['a JSON list', [1, 2], 'not_object'],
    ['JSON null', 'null', 'not_object'],
    ['a string value', { temperature: 'hot' }, 'bad_value'],
    ['a null value', { temperature: null }, 'bad_value'],
    ['a boolean value', { running: true }, 'bad_value'],
    ['a nested object', { temperature: { value: 1 } }, 'bad_value'],
    ['a non-finite value', '{"temperature": 1e999}', 'bad_value'],
    ['no sensor at all', { ts: NOW }, 'no_readings'],
    ['too many fields', { a: 1, b: 2, c: 3, d: 4, e: 5 }, 'too_many_fields'],
    ['a bad timestamp', { ts: 'soon', temperature: 1 }, 'bad_timestamp'],
    ['a local time without zone', { ts: '2025-11-28T08:00:00', temperature: 1 }, 'bad_timestamp'],
    ['a far-future timestamp', { ts: NOW + 3_600_000, temperature: 1 }, 'future_timestamp'],
    ['a timestamp older than retention', { ts: NOW - 2 * 86_400_000, temperature: 1 }, 'too_old'],
  ])('rejects %s as %s', (_, payload, reason) => {
    expect(telemetry(payload)).toMatchObject({ reason, detail: expect.any(String) });
  });

  it('says which field was wrong', () => {
    expect(telemetry({ temperature: 1, vibration: 'n/a' })).toEqual({ reason: 'bad_value', detail: 'vibration is "n/a", not a finite number' });
  });

  it('rejects an oversized payload before parsing it', () => {
    const big = Buffer.alloc(2000, 0x7b); // "{{{{…": would be not_json if it were parsed
    expect(parseTelemetry(big, { asset: 'a' }, json, NOW, limits)).toEqual({ reason: 'too_large', detail: '2000 bytes; ingest.max_payload is 1024' });
  });

  it('treats a payload that mimics a rejection as data', () => {
    expect(telemetry({ reason: 1, detail: 2 })).toEqual({
      readings: [
        { sensor: 'reason', ts: NOW, value: 1 },
        { sensor: 'detail', ts: NOW, value: 2 },
      ],
    });
  });
});

describe('parseTelemetry, value', () => {
  const value: TelemetryFormat = { format: 'value', timestamp: null, fields: null };
  it.each([
    ['71.2', 71.2],
    [' -3 ', -3],
    ['1e3', 1000],
    ['.5', 0.5],
  ])('reads %j', (payload, expected) => {
    expect(telemetry(payload, value, { asset: 'p', sensor: 'temperature' })).toEqual({
      readings: [{ sensor: 'temperature', ts: NOW, value: expected }],
    });
  });

  it.each(['', 'NaN', 'Infinity', 'hot', '0x10', '1,5'])('rejects %j', (payload) => {
    expect(telemetry(payload, value, { asset: 'p', sensor: 't' })).toMatchObject({ reason: 'bad_value' });
  });

  it('needs a sensor capture', () => {
    expect(telemetry('1', value, { asset: 'p' })).toMatchObject({ reason: 'unknown_topic' });
  });
});

describe('parseFault', () => {
  it('takes an empty payload as a fault now', () => {
    expect(parseFault(buf(''), 'ts', NOW, limits)).toEqual({ ts: NOW, fields: {} });
  });

  it('keeps the other fields and uses the timestamp', () => {
    expect(parseFault(buf({ ts: NOW - 5000, code: 'E42', severity: 2 }), 'ts', NOW, limits)).toEqual({
      ts: NOW - 5000,
      fields: { code: 'E42', severity: 2 },
    });
  });

  it.each([
    ['not JSON', 'boom', 'not_json'],
    ['a list', [1], 'not_object'],
    ['a bad time', { ts: 'never' }, 'bad_timestamp'],
    ['a future time', { ts: NOW + 3_600_000 }, 'future_timestamp'],
  ])('rejects %s', (_, payload, reason) => {
    expect(parseFault(buf(payload), 'ts', NOW, limits)).toMatchObject({ reason });
  });
});
