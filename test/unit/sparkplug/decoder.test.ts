// The Sparkplug input decoder, fed payloads encoded by the independent Tahu library: births and
// aliases, rebirth requests for orphan DATA and seq gaps, seq wrap, deaths, limits and rejections.
import { get } from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { describe, expect, it } from 'vitest';
import type { Limits } from '../../../src/ingest/parse.js';
import { SparkplugDecoder, type DecodeResult } from '../../../src/sparkplug/decoder.js';

const tahu = get('spBv1.0')!;
const T0 = 1_764_320_000_000;
const LIMITS: Limits = { maxPayload: 65_536, maxFields: 256, latestTs: T0 + 300_000, earliestTs: T0 - 30 * 86_400_000 };

function enc(payload: UPayload): Buffer {
  return Buffer.from(tahu.encodePayload(payload));
}

const nbirth = (seq = 0, bdSeq = 3, extra: UMetric[] = []): Buffer =>
  enc({
    timestamp: T0,
    seq,
    metrics: [
      { name: 'bdSeq', type: 'Int64', value: bdSeq, timestamp: T0 },
      { name: 'Node Control/Rebirth', type: 'Boolean', value: false, timestamp: T0 },
      { name: 'cpu_temp', alias: 100, type: 'Float', value: 48.5, timestamp: T0 },
      { name: 'firmware', alias: 101, type: 'String', value: '1.2.3', timestamp: T0 },
      ...extra,
    ],
  });

const dbirth = (seq: number): Buffer =>
  enc({
    timestamp: T0,
    seq,
    metrics: [
      { name: 'temperature', alias: 1, type: 'Double', value: 71.2, timestamp: T0 },
      { name: 'vibration', alias: 2, type: 'Float', value: 0.03125, timestamp: T0 },
      { name: 'running', alias: 3, type: 'Boolean', value: true, timestamp: T0 },
      { name: 'Device Control/Reset', alias: 4, type: 'Boolean', value: false, timestamp: T0 },
      { name: 'serial', alias: 5, type: 'String', value: 'SN-1', timestamp: T0 },
    ],
  });

const ddata = (seq: number, ts: number, metrics: Array<[number, number]>): Buffer =>
  enc({ timestamp: ts, seq, metrics: metrics.map(([alias, value]) => ({ alias, type: 'Double', value, timestamp: ts })) });

function readingsOf(result: DecodeResult): Array<{ asset: string; line: string; sensor: string; ts: number; value: number }> {
  if (result.kind !== 'readings') throw new Error(`expected readings, got ${JSON.stringify(result)}`);
  return result.readings;
}

function born(): SparkplugDecoder {
  const decoder = new SparkplugDecoder();
  decoder.decode('spBv1.0/line1/NBIRTH/gw7', nbirth(), T0, LIMITS);
  decoder.decode('spBv1.0/line1/DBIRTH/gw7/press3', dbirth(1), T0, LIMITS);
  return decoder;
}

describe('births and aliases', () => {
  it('reads NBIRTH metrics as readings of the node, without bdSeq, controls or strings', () => {
    const decoder = new SparkplugDecoder();
    expect(readingsOf(decoder.decode('spBv1.0/line1/NBIRTH/gw7', nbirth(), T0 + 5, LIMITS))).toEqual([
      { asset: 'gw7', line: 'line1', sensor: 'cpu_temp', ts: T0, value: 48.5 },
    ]);
  });

  it('reads DBIRTH metrics as readings of the device; booleans become 1/0', () => {
    const decoder = new SparkplugDecoder();
    decoder.decode('spBv1.0/line1/NBIRTH/gw7', nbirth(), T0, LIMITS);
    expect(readingsOf(decoder.decode('spBv1.0/line1/DBIRTH/gw7/press3', dbirth(1), T0, LIMITS))).toEqual([
      { asset: 'press3', line: 'line1', sensor: 'temperature', ts: T0, value: 71.2 },
      { asset: 'press3', line: 'line1', sensor: 'vibration', ts: T0, value: 0.03125 },
      { asset: 'press3', line: 'line1', sensor: 'running', ts: T0, value: 1 },
    ]);
  });

  it('resolves alias-only DDATA through the device birth certificate', () => {
    const decoder = born();
    const result = decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(2, T0 + 1000, [[2, 0.5], [1, 72]]), T0 + 1000, LIMITS);
    expect(readingsOf(result)).toEqual([
      { asset: 'press3', line: 'line1', sensor: 'vibration', ts: T0 + 1000, value: 0.5 },
      { asset: 'press3', line: 'line1', sensor: 'temperature', ts: T0 + 1000, value: 72 },
    ]);
    expect(result).not.toHaveProperty('rebirth');
  });

  it('resolves NDATA through the node birth certificate', () => {
    const decoder = born();
    const result = decoder.decode('spBv1.0/line1/NDATA/gw7', ddata(2, T0 + 1000, [[100, 50]]), T0 + 1000, LIMITS);
    expect(readingsOf(result)).toEqual([{ asset: 'gw7', line: 'line1', sensor: 'cpu_temp', ts: T0 + 1000, value: 50 }]);
  });

  it('keeps aliases per edge node: the same alias on another node is another metric', () => {
    const decoder = born();
    decoder.decode('spBv1.0/line2/NBIRTH/gw8', nbirth(), T0, LIMITS);
    decoder.decode(
      'spBv1.0/line2/DBIRTH/gw8/oven1',
      enc({ timestamp: T0, seq: 1, metrics: [{ name: 'humidity', alias: 1, type: 'Double', value: 40, timestamp: T0 }] }),
      T0,
      LIMITS,
    );
    expect(readingsOf(decoder.decode('spBv1.0/line2/DDATA/gw8/oven1', ddata(2, T0, [[1, 41]]), T0, LIMITS))[0]!.sensor).toBe('humidity');
    expect(readingsOf(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(2, T0, [[1, 73]]), T0, LIMITS))[0]!.sensor).toBe('temperature');
  });

  it('takes the payload timestamp, then arrival, when a metric has none; keeps historical metrics', () => {
    const decoder = born();
    const payload = enc({
      timestamp: T0 + 7,
      seq: 2,
      metrics: [
        { alias: 1, type: 'Double', value: 1 },
        { alias: 2, type: 'Float', value: 2, timestamp: T0 - 60_000, isHistorical: true },
      ],
    });
    expect(readingsOf(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', payload, T0 + 9, LIMITS)).map((r) => r.ts)).toEqual([T0 + 7, T0 - 60_000]);
    const bare = enc({ seq: 3, metrics: [{ alias: 1, type: 'Double', value: 1 }] });
    expect(readingsOf(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', bare, T0 + 9, LIMITS))[0]!.ts).toBe(T0 + 9);
  });
});

describe('rebirth requests', () => {
  it('rejects DDATA before any birth and asks the node for a rebirth by NCMD', () => {
    const decoder = new SparkplugDecoder();
    const result = decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(9, T0, [[1, 1]]), T0, LIMITS);
    expect(result).toMatchObject({ kind: 'rejected', rejection: { reason: 'sparkplug_no_birth' } });
    if (result.kind !== 'rejected') throw new Error('unreachable');
    expect(result.rebirth).toMatchObject({ topic: 'spBv1.0/line1/NCMD/gw7', qos: 0, retain: false });
    const command = tahu.decodePayload(result.rebirth!.payload);
    expect(command.metrics).toEqual([expect.objectContaining({ name: 'Node Control/Rebirth', type: 'Boolean', value: true })]);
    expect(Number(String(command.timestamp))).toBe(T0);
  });

  it('asks at most once per interval per node, and again once it has passed', () => {
    const decoder = new SparkplugDecoder({ rebirthIntervalMs: 5_000 });
    const orphan = (at: number): DecodeResult => decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(9, at, [[1, 1]]), at, LIMITS);
    expect(orphan(T0)).toHaveProperty('rebirth');
    expect(orphan(T0 + 1_000)).not.toHaveProperty('rebirth');
    expect(orphan(T0 + 1_000)).toMatchObject({ kind: 'rejected', rejection: { reason: 'sparkplug_no_birth' } });
    expect(orphan(T0 + 5_000)).toHaveProperty('rebirth');
    expect(decoder.counters.rebirthRequests).toBe(2);
  });

  it('rejects DDATA of a device that has no DBIRTH since the node NBIRTH', () => {
    const decoder = born();
    decoder.decode('spBv1.0/line1/NBIRTH/gw7', nbirth(0, 4), T0, LIMITS); // a new session forgets the devices
    const result = decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(1, T0, [[1, 1]]), T0, LIMITS);
    expect(result).toMatchObject({ kind: 'rejected', rejection: { reason: 'sparkplug_no_birth' }, rebirth: { topic: 'spBv1.0/line1/NCMD/gw7' } });
  });

  it('rejects an alias the birth certificate did not define, with a rebirth request', () => {
    const decoder = born();
    const result = decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(2, T0, [[1, 1], [42, 2]]), T0, LIMITS);
    expect(result).toMatchObject({
      kind: 'rejected',
      rejection: { reason: 'sparkplug_unknown_alias', detail: expect.stringContaining('alias 42') },
      rebirth: { topic: 'spBv1.0/line1/NCMD/gw7' },
    });
  });

  it('lets seq wrap from 255 to 0, and asks for a rebirth on a gap while keeping the data', () => {
    const decoder = new SparkplugDecoder();
    decoder.decode('spBv1.0/line1/NBIRTH/gw7', nbirth(0), T0, LIMITS);
    decoder.decode('spBv1.0/line1/DBIRTH/gw7/press3', dbirth(1), T0, LIMITS);
    for (let i = 2; i < 256 + 3; i++) {
      const result = decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(i % 256, T0 + i, [[1, i]]), T0 + i, LIMITS);
      expect(result).not.toHaveProperty('rebirth');
      expect(readingsOf(result)).toHaveLength(1);
    }
    expect(decoder.counters.seqGaps).toBe(0);
    // last seq was (256 + 2) % 256 = 2; 4 skips 3
    const gap = decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(4, T0 + 999, [[1, 5]]), T0 + 999, LIMITS);
    expect(readingsOf(gap)).toEqual([{ asset: 'press3', line: 'line1', sensor: 'temperature', ts: T0 + 999, value: 5 }]);
    expect(gap).toHaveProperty('rebirth.topic', 'spBv1.0/line1/NCMD/gw7');
    expect(decoder.counters.seqGaps).toBe(1);
    expect(readingsOf(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(5, T0 + 1000, [[1, 6]]), T0 + 1000, LIMITS))).toHaveLength(1);
    expect(decoder.counters.seqGaps).toBe(1);
  });
});

describe('deaths, commands and rejections', () => {
  it('forgets a node on its NDEATH, but not on a stale NDEATH of an older session', () => {
    const decoder = born(); // bdSeq 3
    const death = (bdSeq: number): Buffer => enc({ timestamp: T0, metrics: [{ name: 'bdSeq', type: 'Int64', value: bdSeq }] });
    expect(decoder.decode('spBv1.0/line1/NDEATH/gw7', death(2), T0, LIMITS)).toMatchObject({ kind: 'ignored' });
    expect(readingsOf(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(2, T0, [[1, 1]]), T0, LIMITS))).toHaveLength(1);
    expect(decoder.decode('spBv1.0/line1/NDEATH/gw7', death(3), T0, LIMITS)).toMatchObject({ kind: 'ignored' });
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(3, T0, [[1, 1]]), T0, LIMITS)).toMatchObject({
      kind: 'rejected',
      rejection: { reason: 'sparkplug_no_birth' },
    });
  });

  it('forgets a device on its DDEATH', () => {
    const decoder = born();
    expect(decoder.decode('spBv1.0/line1/DDEATH/gw7/press3', enc({ timestamp: T0, seq: 2, metrics: [] }), T0, LIMITS)).toMatchObject({ kind: 'ignored' });
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(3, T0, [[1, 1]]), T0, LIMITS)).toMatchObject({
      rejection: { reason: 'sparkplug_no_birth' },
    });
  });

  it('ignores STATE, commands and faultline’s own edge node', () => {
    const decoder = new SparkplugDecoder({ ownNode: { group: 'faultline', node: 'gw1' } });
    expect(decoder.decode('spBv1.0/STATE/scada', Buffer.from('{"online":true,"timestamp":1}'), T0, LIMITS)).toMatchObject({ kind: 'ignored' });
    expect(decoder.decode('spBv1.0/line1/NCMD/gw7', enc({ timestamp: T0, metrics: [] }), T0, LIMITS)).toMatchObject({ kind: 'ignored' });
    expect(decoder.decode('spBv1.0/line1/DCMD/gw7/press3', enc({ timestamp: T0, metrics: [] }), T0, LIMITS)).toMatchObject({ kind: 'ignored' });
    expect(decoder.decode('spBv1.0/faultline/DDATA/gw1/press3', ddata(1, T0, [[1, 1]]), T0, LIMITS)).toMatchObject({ kind: 'ignored' });
  });

  it('rejects undecodable payloads, malformed topics and oversized messages', () => {
    const decoder = born();
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]), T0, LIMITS)).toMatchObject({
      kind: 'rejected',
      rejection: { reason: 'not_sparkplug' },
    });
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7', ddata(2, T0, [[1, 1]]), T0, LIMITS)).toMatchObject({ rejection: { reason: 'unknown_topic' } });
    expect(decoder.decode('spBv1.0/line1/XDATA/gw7', ddata(2, T0, [[1, 1]]), T0, LIMITS)).toMatchObject({ rejection: { reason: 'unknown_topic' } });
    expect(decoder.decode('plant/line1/press3/telemetry', ddata(2, T0, [[1, 1]]), T0, LIMITS)).toMatchObject({ rejection: { reason: 'unknown_topic' } });
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(2, T0, [[1, 1]]), T0, { ...LIMITS, maxPayload: 8 })).toMatchObject({
      rejection: { reason: 'too_large' },
    });
  });

  it('applies the ingest limits: future and old timestamps, field count, and the fields filter', () => {
    const decoder = born();
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(2, T0 + 600_000, [[1, 1]]), T0, LIMITS)).toMatchObject({
      rejection: { reason: 'future_timestamp' },
    });
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(3, T0 - 31 * 86_400_000, [[1, 1]]), T0, LIMITS)).toMatchObject({
      rejection: { reason: 'too_old' },
    });
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(4, T0, [[1, 1], [2, 2]]), T0, { ...LIMITS, maxFields: 1 })).toMatchObject({
      rejection: { reason: 'too_many_fields' },
    });
    const filtered = decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(5, T0, [[1, 1], [2, 2]]), T0, LIMITS, ['vibration']);
    expect(readingsOf(filtered).map((r) => r.sensor)).toEqual(['vibration']);
    expect(decoder.decode('spBv1.0/line1/DDATA/gw7/press3', ddata(6, T0, [[1, 1]]), T0, LIMITS, ['vibration'])).toMatchObject({ kind: 'ignored' });
  });
});
