// The codec against itself (round trips of every scalar datatype) and against the independent Eclipse
// Tahu library (sparkplug-payload), in both directions, so the reconstructed .proto is proven on the wire.
import { get } from 'sparkplug-payload';
import { describe, expect, it } from 'vitest';
import { createCodec, DataType, PayloadError, type Payload } from '../../../src/sparkplug/codec.js';

const codec = createCodec();
const tahu = get('spBv1.0')!;

/** Tahu hands out 64-bit values as `long` objects. */
function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(String(value));
}

/** Tahu's Int64 sign fix-up is an `instanceof Long` that misses when npm installs two copies of
 * `long`; the bits are right either way, so read them as two's complement. */
function signed64(value: unknown): number {
  return Number(BigInt.asIntN(64, BigInt(String(value))));
}

const every: Payload = {
  timestamp: 1_764_320_000_123,
  seq: 255,
  metrics: [
    { name: 'i8', alias: 1, timestamp: 1_764_320_000_000, datatype: DataType.Int8, value: -128 },
    { name: 'i16', alias: 2, timestamp: 1_764_320_000_000, datatype: DataType.Int16, value: -300 },
    { name: 'i32', alias: 3, timestamp: 1_764_320_000_000, datatype: DataType.Int32, value: -2_147_483_648 },
    { name: 'i64', alias: 4, timestamp: 1_764_320_000_000, datatype: DataType.Int64, value: -5_000_000_000 },
    { name: 'u8', alias: 5, timestamp: 1_764_320_000_000, datatype: DataType.UInt8, value: 255 },
    { name: 'u16', alias: 6, timestamp: 1_764_320_000_000, datatype: DataType.UInt16, value: 65_535 },
    { name: 'u32', alias: 7, timestamp: 1_764_320_000_000, datatype: DataType.UInt32, value: 4_294_967_295 },
    { name: 'u64', alias: 8, timestamp: 1_764_320_000_000, datatype: DataType.UInt64, value: Number.MAX_SAFE_INTEGER },
    { name: 'f', alias: 9, timestamp: 1_764_320_000_000, datatype: DataType.Float, value: Math.fround(71.2) },
    { name: 'd', alias: 10, timestamp: 1_764_320_000_000, datatype: DataType.Double, value: 0.031 },
    { name: 'b', alias: 11, timestamp: 1_764_320_000_000, datatype: DataType.Boolean, value: true },
    { name: 's', alias: 12, timestamp: 1_764_320_000_000, datatype: DataType.String, value: 'model 7' },
    { name: 'dt', alias: 13, timestamp: 1_764_320_000_000, datatype: DataType.DateTime, value: 1_764_320_000_000 },
    { name: 'n', alias: 14, timestamp: 1_764_320_000_000, datatype: DataType.Double, value: null, isNull: true },
  ],
};

describe('codec round trip', () => {
  it('keeps every scalar datatype, with sign and 64-bit range, and the payload header', () => {
    expect(codec.decode(codec.encode(every))).toEqual(every);
  });

  it('keeps is_historical, is_transient and property sets', () => {
    const payload: Payload = {
      timestamp: 1,
      seq: 0,
      metrics: [
        {
          name: 'time_to_fault_s',
          timestamp: 2,
          datatype: DataType.Double,
          value: 5400,
          isHistorical: true,
          isTransient: true,
          properties: {
            engUnit: { type: DataType.String, value: 's' },
            engHigh: { type: DataType.Double, value: 7200 },
            quality: { type: DataType.Int32, value: 192 },
            empty: { type: DataType.String, value: null },
          },
        },
      ],
    };
    expect(codec.decode(codec.encode(payload))).toEqual(payload);
  });

  it('decodes alias-only DATA metrics without name or datatype', () => {
    const bytes = tahu.encodePayload({ timestamp: 5, seq: 3, metrics: [{ alias: 7, type: 'Double', value: 1.5, timestamp: 5 }] });
    const decoded = codec.decode(bytes);
    expect(decoded.metrics).toEqual([{ alias: 7, timestamp: 5, datatype: DataType.Double, value: 1.5 }]);
    expect(decoded.metrics[0]!.name).toBeUndefined();
  });

  it('refuses bytes that are not a Sparkplug payload', () => {
    expect(() => codec.decode(Buffer.from('{"temperature": 71.2}'))).toThrow(PayloadError);
    expect(() => codec.decode(Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(PayloadError);
  });

  it('encodes a value missing in plain JavaScript (undefined) as is_null, not "undefined" or NaN', () => {
    const metrics = [
      { name: 's', datatype: DataType.String, value: undefined },
      { name: 'd', datatype: DataType.Double, value: undefined },
    ] as unknown as Payload['metrics'];
    expect(codec.decode(codec.encode({ metrics })).metrics).toEqual([
      { name: 's', datatype: DataType.String, value: null, isNull: true },
      { name: 'd', datatype: DataType.Double, value: null, isNull: true },
    ]);
  });

  it('refuses to encode a value without a datatype', () => {
    expect(() => codec.encode({ metrics: [{ name: 'x', value: 1 }] })).toThrow(/no datatype/);
  });
});

describe('codec against Eclipse Tahu (sparkplug-payload)', () => {
  it('what faultline encodes, Tahu decodes to the same values', () => {
    const decoded = tahu.decodePayload(codec.encode(every));
    expect(num(decoded.timestamp)).toBe(every.timestamp);
    expect(num(decoded.seq)).toBe(255);
    const byName = new Map((decoded.metrics ?? []).map((m) => [m.name, m]));
    const value = (name: string): unknown => byName.get(name)?.value;
    expect(value('i8')).toBe(-128);
    expect(value('i16')).toBe(-300);
    expect(value('i32')).toBe(-2_147_483_648);
    expect(signed64(value('i64'))).toBe(-5_000_000_000);
    expect(value('u8')).toBe(255);
    expect(value('u16')).toBe(65_535);
    expect(num(value('u32'))).toBe(4_294_967_295);
    expect(num(value('u64'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(value('f')).toBe(Math.fround(71.2));
    expect(value('d')).toBe(0.031);
    expect(value('b')).toBe(true);
    expect(value('s')).toBe('model 7');
    expect(value('n')).toBeNull();
    expect(byName.get('d')?.type).toBe('Double');
    expect(num(byName.get('d')?.alias)).toBe(10);
    expect(num(byName.get('d')?.timestamp)).toBe(1_764_320_000_000);
  });

  it('what Tahu encodes, faultline decodes to the same values', () => {
    const bytes = tahu.encodePayload({
      timestamp: 1_764_320_000_123,
      seq: 17,
      metrics: [
        { name: 'temperature', alias: 1, timestamp: 1_764_320_000_000, type: 'Float', value: 71.25 },
        { name: 'count', alias: 2, timestamp: 1_764_320_000_000, type: 'Int32', value: -42 },
        { name: 'big', alias: 3, timestamp: 1_764_320_000_000, type: 'Int64', value: -7 },
        { name: 'running', alias: 4, timestamp: 1_764_320_000_000, type: 'Boolean', value: false, isHistorical: true },
        {
          name: 'label',
          alias: 5,
          timestamp: 1_764_320_000_000,
          type: 'String',
          value: 'press 3',
          properties: { engUnit: { type: 'String', value: 'none' } },
        },
      ],
    });
    expect(codec.decode(bytes)).toEqual({
      timestamp: 1_764_320_000_123,
      seq: 17,
      metrics: [
        { name: 'temperature', alias: 1, timestamp: 1_764_320_000_000, datatype: DataType.Float, value: 71.25 },
        { name: 'count', alias: 2, timestamp: 1_764_320_000_000, datatype: DataType.Int32, value: -42 },
        { name: 'big', alias: 3, timestamp: 1_764_320_000_000, datatype: DataType.Int64, value: -7 },
        { name: 'running', alias: 4, timestamp: 1_764_320_000_000, datatype: DataType.Boolean, value: false, isHistorical: true },
        {
          name: 'label',
          alias: 5,
          timestamp: 1_764_320_000_000,
          datatype: DataType.String,
          value: 'press 3',
          properties: { engUnit: { type: DataType.String, value: 'none' } },
        },
      ],
    });
  });

  it('the reconstructed schema writes the same bytes as Tahu for the same payload', () => {
    const tahuBytes = tahu.encodePayload({
      timestamp: 1_764_320_000_123,
      seq: 4,
      metrics: [
        { name: 'risk', alias: 1, timestamp: 1_764_320_000_000, type: 'Double', value: 0.25 },
        { name: 'level', alias: 2, timestamp: 1_764_320_000_000, type: 'Int32', value: 2 },
        { name: 'model_version', alias: 3, timestamp: 1_764_320_000_000, type: 'String', value: '7' },
      ],
    });
    const ours = codec.encode({
      timestamp: 1_764_320_000_123,
      seq: 4,
      metrics: [
        { name: 'risk', alias: 1, timestamp: 1_764_320_000_000, datatype: DataType.Double, value: 0.25 },
        { name: 'level', alias: 2, timestamp: 1_764_320_000_000, datatype: DataType.Int32, value: 2 },
        { name: 'model_version', alias: 3, timestamp: 1_764_320_000_000, datatype: DataType.String, value: '7' },
      ],
    });
    expect(Buffer.from(ours).toString('hex')).toBe(Buffer.from(tahuBytes).toString('hex'));
  });
});

describe('the schema file', () => {
  it('is found by the built module in dist/ as well (tsc does not copy .proto files)', async () => {
    const built = new URL('../../../dist/sparkplug/codec.js', import.meta.url);
    const { createCodec: createBuilt, findProtoFile } = (await import(built.href)) as typeof import('../../../src/sparkplug/codec.js');
    expect(findProtoFile()).toMatch(/src\/sparkplug\/sparkplug_b\.proto$/);
    expect(createBuilt().decode(codec.encode(every))).toEqual(every);
  });
});
