// Property tests (issue 7, hostile input) over the payload parser: whatever bytes arrive, parsing never
// throws and ends in readings that obey the limits or in one of the known rejection reasons; good
// payloads come out exactly as sent. Fixed seed in CI; FUZZ_SEED and FUZZ_RUNS explore further.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFault, parseTelemetry, type Limits, type TelemetryFormat } from '../../../src/ingest/parse.js';
import { REJECT_REASONS } from '../../../src/ingest/reasons.js';
import { readTimestamp } from '../../../src/ingest/timestamp.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 7_2026);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 1_500);
const settings = { seed: SEED, numRuns: RUNS };

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const REASONS = new Set<string>(REJECT_REASONS);
/** Rejection details end up in dead letters and log summaries: they must stay short. */
const MAX_DETAIL = 200;

const arbLimits: fc.Arbitrary<Limits> = fc.record({
  maxPayload: fc.integer({ min: 0, max: 4096 }),
  maxFields: fc.integer({ min: 1, max: 300 }),
  latestTs: fc.integer({ min: 0, max: 10 * 60_000 }).map((ahead) => NOW + ahead),
  earliestTs: fc.integer({ min: 0, max: 60 * 86_400_000 }).map((back) => NOW - back),
});

/** Formats the config allows: src/config/rules.ts refuses a sensor listed twice or the timestamp as a sensor. */
const arbFormat: fc.Arbitrary<TelemetryFormat> = fc
  .record({
    format: fc.constantFrom('json' as const, 'value' as const),
    timestamp: fc.option(fc.constantFrom('ts', 'time', '', '__proto__', 'temperature'), { nil: null }),
    fields: fc.option(fc.uniqueArray(fc.constantFrom('temperature', 'vibration', 'ts', '__proto__', 'x'), { maxLength: 4 }), { nil: null }),
  })
  .map((f) => ({ ...f, fields: f.fields?.filter((name) => name !== f.timestamp) ?? null }));

const arbCaptures = fc.dictionary(fc.constantFrom('asset', 'line', 'sensor'), fc.string({ maxLength: 8 }));

/** Timestamps as devices send them, good and bad. */
const arbTimestamp: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: NOW - 90 * 86_400_000, max: NOW + 86_400_000 }),
  fc.integer({ min: Math.floor((NOW - 90 * 86_400_000) / 1000), max: Math.floor((NOW + 86_400_000) / 1000) }),
  fc.double(),
  fc.constantFrom(0, -1, 1e20, -1e20, 8.64e15, 8.64e15 + 1, 99_999_999_999, 1e11, Number.MAX_VALUE, Number.MIN_VALUE, -0),
  fc.date({ min: new Date(0), max: new Date(8.64e15) }).filter((d) => !Number.isNaN(d.getTime())).map((d) => d.toISOString()),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('NaN', 'Infinity', '', ' ', '2025-02-30T00:00:00Z', '2025-06-01T10:00:00', '1e5', '0x10', '-5', '12.5', '١٢٣'),
  fc.constantFrom(null, true, false, [], {}),
);

/** JSON-ish payloads: flat objects of many value shapes, nested values, and arbitrary JSON. */
const arbJsonPayload: fc.Arbitrary<string> = fc.oneof(
  fc
    .dictionary(
      fc.oneof(fc.constantFrom('ts', 'temperature', 'vibration', '__proto__', 'constructor', ''), fc.string({ maxLength: 12 })),
      fc.oneof(fc.double(), fc.integer(), arbTimestamp, fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 3 })),
      { maxKeys: 12 },
    )
    .map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.integer({ min: 1, max: 3000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.integer({ min: 1, max: 3000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.constantFrom('{"temperature": 1e999}', '{"ts": 1e999, "t": 1}', '{"t": -0}', '{"t": 5e-324}', '{"t": 1.7976931348623157e308}'),
);

/** Any bytes: raw, JSON-ish, JSON-ish cut short or with a byte flipped, bare numbers. */
const arbPayload: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
  arbJsonPayload.map((s) => Buffer.from(s)),
  fc.tuple(arbJsonPayload, fc.nat()).map(([s, cut]) => Buffer.from(s.slice(0, cut % (s.length + 1)))),
  fc.tuple(arbJsonPayload, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([s, at, byte]) => {
    const b = Buffer.from(s);
    if (b.length > 0) b[at % b.length] = byte;
    return b;
  }),
  fc.oneof(fc.double(), fc.string({ maxLength: 30 })).map((v) => Buffer.from(` ${String(v)} `)),
);

describe('fuzz: parseTelemetry', () => {
  it('never throws; returns readings within the limits or a known reason with a short detail', () => {
    fc.assert(
      fc.property(arbPayload, arbCaptures, arbFormat, arbLimits, (payload, captures, format, limits) => {
        const result = parseTelemetry(payload, captures, format, NOW, limits);
        if ('reason' in result) {
          expect(REASONS.has(result.reason), result.reason).toBe(true);
          expect(typeof result.detail).toBe('string');
          expect(result.detail.length).toBeLessThanOrEqual(MAX_DETAIL);
          if (payload.length > limits.maxPayload) expect(result.reason).toBe('too_large');
          return;
        }
        expect(payload.length).toBeLessThanOrEqual(limits.maxPayload);
        expect(result.readings.length).toBeGreaterThan(0);
        expect(result.readings.length).toBeLessThanOrEqual(limits.maxFields);
        const sensors = new Set<string>();
        for (const r of result.readings) {
          expect(Number.isFinite(r.value)).toBe(true);
          expect(Number.isSafeInteger(r.ts)).toBe(true);
          expect(r.ts).toBeGreaterThanOrEqual(limits.earliestTs);
          expect(r.ts).toBeLessThanOrEqual(limits.latestTs);
          expect(typeof r.sensor).toBe('string');
          if (format.format === 'json') expect(r.sensor).not.toBe(format.timestamp);
          if (format.format === 'json' && format.fields) expect(format.fields).toContain(r.sensor);
          sensors.add(r.sensor);
        }
        expect(sensors.size).toBe(result.readings.length);
      }),
      settings,
    );
  });

  it('returns exactly the readings of a good payload, at its timestamp', () => {
    const arbGood = fc.record({
      ts: fc.integer({ min: NOW - 86_400_000, max: NOW + 60_000 }),
      unit: fc.constantFrom('ms', 's', 'iso'),
      values: fc.dictionary(
        fc.string({ minLength: 1, maxLength: 10 }).filter((k) => k !== 'ts'),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        { minKeys: 1, maxKeys: 20 },
      ),
    });
    fc.assert(
      fc.property(arbGood, ({ ts, unit, values }) => {
        const sent = unit === 'ms' ? ts : unit === 's' ? Math.floor(ts / 1000) : new Date(ts).toISOString();
        const expectedTs = unit === 's' ? Math.floor(ts / 1000) * 1000 : ts;
        const payload = Buffer.from(JSON.stringify({ ts: sent, ...values })); // JSON writes -0 as 0
        const limits: Limits = { maxPayload: 1 << 20, maxFields: 256, latestTs: NOW + 300_000, earliestTs: NOW - 30 * 86_400_000 };
        const result = parseTelemetry(payload, { asset: 'a' }, { format: 'json', timestamp: 'ts', fields: null }, NOW, limits);
        expect(result).toEqual({ readings: Object.entries(values).map(([sensor, value]) => ({ sensor, ts: expectedTs, value: Object.is(value, -0) ? 0 : value })) });
      }),
      settings,
    );
  });

  it('reads a bare number exactly, or rejects it as bad_value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double().map(String), fc.integer().map(String), fc.string({ maxLength: 30 })), (text) => {
        const limits: Limits = { maxPayload: 1024, maxFields: 1, latestTs: NOW + 1, earliestTs: NOW - 1 };
        const result = parseTelemetry(Buffer.from(text), { asset: 'a', sensor: 's' }, { format: 'value', timestamp: null, fields: null }, NOW, limits);
        if ('readings' in result) {
          expect(result.readings).toEqual([{ sensor: 's', ts: NOW, value: Number(text.trim()) }]);
          expect(Number.isFinite(Number(text.trim()))).toBe(true);
        } else {
          expect(result.reason).toBe('bad_value');
        }
      }),
      settings,
    );
  });
});

describe('fuzz: parseFault', () => {
  it('never throws; a fault has a timestamp within the limits and never keeps the timestamp field', () => {
    fc.assert(
      fc.property(arbPayload, fc.option(fc.constantFrom('ts', 'time', '__proto__'), { nil: null }), arbLimits, (payload, field, limits) => {
        const result = parseFault(payload, field, NOW, limits);
        if ('reason' in result) {
          expect(REASONS.has(result.reason), result.reason).toBe(true);
          expect(result.detail.length).toBeLessThanOrEqual(MAX_DETAIL);
          return;
        }
        expect(Number.isSafeInteger(result.ts)).toBe(true);
        expect(result.ts).toBeGreaterThanOrEqual(limits.earliestTs);
        expect(result.ts).toBeLessThanOrEqual(limits.latestTs);
        if (field !== null) expect(Object.prototype.hasOwnProperty.call(result.fields, field)).toBe(false);
        expect(() => JSON.stringify(result.fields)).not.toThrow();
      }),
      settings,
    );
  });
});

describe('fuzz: readTimestamp', () => {
  it('never throws; a time is an integer a Date can hold, a problem is short', () => {
    fc.assert(
      fc.property(arbTimestamp, (value) => {
        const result = readTimestamp(value);
        if ('ts' in result) {
          expect(Number.isSafeInteger(result.ts)).toBe(true);
          expect(Number.isNaN(new Date(result.ts).getTime())).toBe(false);
        } else {
          expect(result.problem.length).toBeLessThanOrEqual(MAX_DETAIL);
        }
      }),
      settings,
    );
  });

  it('reads every real instant written as ISO 8601 with a zone, and no impossible calendar day', () => {
    const arbInstant = fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)) }).filter((d) => !Number.isNaN(d.getTime()));
    fc.assert(
      fc.property(arbInstant, fc.constantFrom('Z', '+00:00', '+05:30', '-08:00'), (date, zone) => {
        const offsetMin = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
        const local = new Date(date.getTime() + offsetMin * 60_000).toISOString().slice(0, 23);
        expect(readTimestamp(`${local}${zone}`)).toEqual({ ts: date.getTime() });
      }),
      settings,
    );
    fc.assert(
      fc.property(fc.integer({ min: 1970, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 29, max: 31 }), (year, month, day) => {
        const real = day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
        const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${day}T00:00:00Z`;
        expect('ts' in readTimestamp(text), text).toBe(real);
      }),
      settings,
    );
  });
});
