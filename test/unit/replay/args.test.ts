// `faultline replay` options → settings, and the usage errors a technician sees.
import { describe, expect, it } from 'vitest';
import { parseOrigin, parseReplayArgs, type ReplayArgs } from '../../../src/replay/args.js';

const NOW = Date.UTC(2025, 10, 28, 12, 0, 0);

function parse(values: Record<string, string | boolean>, positionals = ['data.csv'], env: Record<string, string> = {}): ReplayArgs | { usage: string } {
  return parseReplayArgs({ url: 'mqtt://127.0.0.1:1883', ...values }, positionals, env, NOW);
}

function ok(values: Record<string, string | boolean>, env: Record<string, string> = {}): ReplayArgs {
  const result = parse(values, ['data.csv'], env);
  if ('usage' in result) throw new Error(result.usage);
  return result;
}

describe('parseReplayArgs', () => {
  it('has the contract defaults: plant/{line}/{asset}/telemetry, QoS 1, MQTT 5, no rate, line1', () => {
    const args = ok({});
    expect(args.file).toBe('data.csv');
    expect(args.settings).toMatchObject({
      topic: 'plant/{line}/{asset}/telemetry',
      faultTopic: 'plant/{line}/{asset}/fault',
      faultAtEnd: false,
      qos: 1,
      rate: null,
      columns: null,
      separator: null,
      tsColumn: 'ts',
      tsUnit: 'auto',
      tsOrigin: null,
      defaults: { line: 'line1' },
    });
    expect(args.broker).toEqual({ url: 'mqtt://127.0.0.1:1883', protocolVersion: 5, maxInflight: 100 });
  });

  it('reads the C-MAPSS options', () => {
    const args = ok({ columns: 'asset, ts,setting1,s1', 'ts-unit': 's', 'ts-origin': 'now-1d', 'fault-at-end': true, protocol: '4', rate: '500', qos: '0', separator: 'whitespace' });
    expect(args.settings).toMatchObject({ columns: ['asset', 'ts', 'setting1', 's1'], tsUnit: 's', tsOrigin: NOW - 86_400_000, faultAtEnd: true, rate: 500, qos: 0, separator: 'whitespace' });
    expect(args.broker.protocolVersion).toBe(4);
  });

  it('takes the password from FAULTLINE_MQTT_PASSWORD, never from a flag', () => {
    const args = ok({ username: 'plc' }, { FAULTLINE_MQTT_PASSWORD: 's3cret' });
    expect(args.broker).toMatchObject({ username: 'plc', password: 's3cret' });
  });

  it('reads a decimal comma in semicolon files', () => {
    expect(ok({ separator: 'semicolon' }).settings.decimalComma).toBe(true);
    expect(ok({ separator: 'comma' }).settings.decimalComma).toBe(false);
  });

  it.each([
    [{}, [], 'name the file to replay: faultline replay FILE.csv --url URL'],
    [{ url: 'http://broker:1883' }, ['a.csv'], '--url "http://broker:1883" is not a broker URL; write mqtt://host:1883, or mqtts://host:8883 for TLS'],
    [{ rate: 'fast' }, ['a.csv'], '--rate must be a number of messages per second above 0 (got "fast")'],
    [{ rate: '0' }, ['a.csv'], '--rate must be a number of messages per second above 0 (got "0")'],
    [{ qos: '2' }, ['a.csv'], '--qos must be 0 or 1 (got "2")'],
    [{ protocol: '3' }, ['a.csv'], '--protocol must be 4 or 5 (got "3")'],
    [{ 'ts-unit': 'min' }, ['a.csv'], '--ts-unit must be auto or ms or s (got "min")'],
    [{ 'ts-origin': 'now' }, ['a.csv'], '--ts-origin needs --ts-unit s or ms: it is the time that a relative time of 0 stands for'],
    [{ 'ts-unit': 's', 'ts-origin': 'soon' }, ['a.csv'], '--ts-origin must be epoch ms, an ISO 8601 time with zone, now, or now-DURATION such as now-1d (got "soon")'],
    [{ separator: 'pipe' }, ['a.csv'], '--separator must be comma, semicolon, tab or whitespace (got "pipe")'],
    [{ inflight: '0' }, ['a.csv'], '--inflight must be a whole number from 1 to 65535 (got "0")'],
  ] as const)('refuses %j %j', (values, positionals, usage) => {
    expect(parse(values, [...positionals])).toEqual({ usage });
  });

  it('requires --url', () => {
    expect(parseReplayArgs({}, ['a.csv'], {}, NOW)).toEqual({ usage: '--url is required, e.g. --url mqtt://127.0.0.1:1883' });
  });
});

describe('parseOrigin', () => {
  it('reads now, now-DURATION, epoch ms and ISO 8601', () => {
    expect(parseOrigin('now', NOW)).toBe(NOW);
    expect(parseOrigin('now-2h', NOW)).toBe(NOW - 7_200_000);
    expect(parseOrigin('0', NOW)).toBe(0);
    expect(parseOrigin('1764320000000', NOW)).toBe(1764320000000);
    expect(parseOrigin('2025-01-01T00:00:00Z', NOW)).toBe(Date.UTC(2025, 0, 1));
    expect(parseOrigin('now-ish', NOW)).toBeNull();
    expect(parseOrigin('2025-01-01', NOW)).toBeNull();
  });
});
