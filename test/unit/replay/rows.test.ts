// Column roles from the header, and one row's fields → telemetry values or the reason it is rejected.
import { describe, expect, it } from 'vitest';
import { labelProblem, parseNumber, payloadOf, planColumns, readRow, readTs, type ColumnOptions, type ColumnPlan } from '../../../src/replay/rows.js';

const OPTIONS: ColumnOptions = {
  tsColumn: 'ts',
  tsUnit: 'auto',
  tsOrigin: null,
  placeholders: ['line', 'asset'],
  defaults: { line: 'line1' },
  skip: [],
  decimalComma: false,
};

function plan(columns: string[], options: Partial<ColumnOptions> = {}): ColumnPlan {
  const planned = planColumns(columns, { ...OPTIONS, ...options });
  if ('problem' in planned) throw new Error(planned.problem);
  return planned.plan;
}

describe('planColumns', () => {
  it('recognises ts, asset and line; every other column is a sensor value', () => {
    const p = plan(['ts', 'line', 'asset', 'temperature', 'vibration']);
    expect(p.ts).toBe(0);
    expect(p.labels).toEqual([{ name: 'line', index: 1 }, { name: 'asset', index: 2 }]);
    expect(p.values.map((v) => v.name)).toEqual(['temperature', 'vibration']);
    expect(p.constants).toEqual({});
  });

  it('fills {line} with the default when the file has no line column', () => {
    expect(plan(['ts', 'asset', 'temperature']).constants).toEqual({ line: 'line1' });
  });

  it('has no ts column when the file has none (rows get the publish time)', () => {
    expect(plan(['asset', 'temperature']).ts).toBeNull();
  });

  it('treats a column named by a topic placeholder as a label, and skips --skip columns', () => {
    const p = plan(['ts', 'site', 'asset', 'status', 'temperature'], { placeholders: ['site', 'asset'], skip: ['status'] });
    expect(p.labels.map((l) => l.name)).toEqual(['site', 'asset']);
    expect(p.values.map((v) => v.name)).toEqual(['temperature']);
  });

  it.each([
    [['ts', 'temperature'], {}, 'the topic uses {asset} but the file has no "asset" column; add an asset column or pass --asset NAME'],
    [['ts', 'asset', 'ts'], {}, 'column "ts" appears twice; column names must be unique'],
    [['ts', '', 'x'], {}, 'column 2 has no name; name every column in the header or with --columns'],
    [['ts', 'asset'], {}, 'no column is left for sensor values (columns: ts, asset)'],
    [['ts', 'asset', 'x'], { skip: ['y'] }, '--skip names "y", which is not a column (columns: ts, asset, x)'],
    [['time', 'asset', 'x'], { tsColumn: 'stamp' }, '--ts-column "stamp" is not a column (columns: time, asset, x)'],
    [['ts', 'asset', 'x'], { placeholders: ['asset', 'cell'] }, 'the topic uses {cell} but the file has no "cell" column; add a "cell" column or change --topic'],
    [['ts', 'x'], { defaults: { line: 'line1', asset: 'a/b' } }, 'asset "a/b" cannot be a topic level (it holds /, + or #)'],
  ] as const)('refuses %j: %s', (columns, options, problem) => {
    expect(planColumns(columns, { ...OPTIONS, ...options })).toEqual({ problem });
  });

  it('takes the asset from --asset when the file has no asset column', () => {
    expect(plan(['ts', 'x'], { defaults: { line: 'l2', asset: 'press9' } }).constants).toEqual({ line: 'l2', asset: 'press9' });
  });
});

describe('readRow', () => {
  const p = plan(['ts', 'asset', 'temperature', 'vibration']);

  it('reads a row into ts, labels and values in column order', () => {
    expect(readRow(['1764320000000', 'press3', '71.2', '0.031'], p, OPTIONS)).toEqual({
      row: { ts: 1764320000000, labels: { line: 'line1', asset: 'press3' }, values: [['temperature', 71.2], ['vibration', 0.031]] },
    });
  });

  it('reads ts as epoch ms, epoch s or ISO 8601 with zone', () => {
    const ts = (text: string): number | null => {
      const r = readRow([text, 'a', '1', '2'], p, OPTIONS);
      return 'row' in r ? r.row.ts : null;
    };
    expect(ts('1764320000000')).toBe(1764320000000);
    expect(ts('1764320000')).toBe(1764320000000);
    expect(ts('1764320000.5')).toBe(1764320000500);
    expect(ts('2025-11-28T09:33:20Z')).toBe(1764322400000);
    expect(ts('2025-11-28 10:33:20+01:00')).toBe(1764322400000);
  });

  it('leaves an empty cell out (the sensor did not report) but rejects a row with no value at all', () => {
    expect(readRow(['1764320000000', 'a', '', '0.5'], p, OPTIONS)).toEqual({ row: { ts: 1764320000000, labels: { line: 'line1', asset: 'a' }, values: [['vibration', 0.5]] } });
    expect(readRow(['1764320000000', 'a', '', ''], p, OPTIONS)).toEqual({ problem: 'has no sensor value (every value cell is empty)' });
  });

  it.each([
    [['1764320000000', 'a', '1'], 'has 3 fields, expected 4 (ts, asset, temperature, vibration)'],
    [['1764320000000', 'a', 'n/a', '1'], 'temperature: "n/a" is not a number'],
    [['1764320000000', 'a', '0x10', '1'], 'temperature: "0x10" is not a number'],
    [['1764320000000', 'a', 'NaN', '1'], 'temperature: "NaN" is not a number'],
    [['2025-11-28T09:33:20', 'a', '1', '1'], 'ts: "2025-11-28T09:33:20" has no time zone; add Z or an offset such as +01:00'],
    [['yesterday', 'a', '1', '1'], 'ts: "yesterday" is neither epoch ms, epoch s nor ISO 8601'],
    [['', 'a', '1', '1'], 'ts: is empty'],
    [['1764320000000', '', '1', '1'], 'asset is empty'],
    [['1764320000000', 'press+1', '1', '1'], 'asset "press+1" cannot be a topic level (it holds /, + or #)'],
  ] as const)('rejects %j: %s', (fields, problem) => {
    expect(readRow(fields, p, OPTIONS)).toEqual({ problem });
  });

  it('reads relative times in seconds after an origin (C-MAPSS cycles)', () => {
    const origin = Date.UTC(2025, 0, 1);
    const r = readRow(['3', '7', '1', '2'], p, { ...OPTIONS, tsUnit: 's', tsOrigin: origin });
    expect(r).toMatchObject({ row: { ts: origin + 3000, labels: { asset: '7' } } });
  });
});

describe('readTs', () => {
  it('multiplies seconds, keeps milliseconds, and refuses times before 1970 without an origin', () => {
    expect(readTs('1.5', 's', null)).toEqual({ ts: 1500 });
    expect(readTs('1500', 'ms', null)).toEqual({ ts: 1500 });
    expect(readTs('0', 's', 1000)).toEqual({ ts: 1000 });
    expect(readTs('0', 's', null)).toEqual({ problem: '"0" is not a time after 1970; pass --ts-origin for relative times' });
    expect(readTs('abc', 's', null)).toEqual({ problem: '"abc" is not a number of seconds' });
  });
});

describe('parseNumber', () => {
  it('reads decimal numbers with sign and exponent', () => {
    expect(parseNumber('-0.0007')).toBe(-0.0007);
    expect(parseNumber('+3')).toBe(3);
    expect(parseNumber('.5')).toBe(0.5);
    expect(parseNumber('1e-3')).toBe(0.001);
    expect(parseNumber('5.')).toBe(5);
  });

  it('refuses what is not a plain decimal number', () => {
    for (const text of ['', ' ', 'Infinity', '1,000.5', '1 000', '0b1', '1e400', '--1']) expect(parseNumber(text), text).toBeNull();
  });

  it('reads a decimal comma only when asked (semicolon-separated files)', () => {
    expect(parseNumber('71,2')).toBeNull();
    expect(parseNumber('71,2', true)).toBe(71.2);
  });
});

describe('payloadOf', () => {
  it('is the contract payload: ts first, then the values, as JSON', () => {
    const text = payloadOf(1764320000000, [['temperature', 71.2], ['vibration', 0.031]]);
    expect(text).toBe('{"ts":1764320000000,"temperature":71.2,"vibration":0.031}');
    expect(JSON.parse(text)).toEqual({ ts: 1764320000000, temperature: 71.2, vibration: 0.031 });
  });

  it('escapes column names that need it', () => {
    expect(JSON.parse(payloadOf(1, [['a "b"', 1], ['__proto__', 2]]))).toEqual(JSON.parse('{"ts":1,"a \\"b\\"":1,"__proto__":2}'));
  });
});

describe('labelProblem', () => {
  it('accepts ordinary names and refuses empty ones and MQTT wildcards or level separators', () => {
    expect(labelProblem('asset', 'press-1 A')).toBeNull();
    expect(labelProblem('asset', '')).toBe('asset is empty');
    for (const bad of ['a/b', 'a+', '#']) expect(labelProblem('asset', bad)).toContain('cannot be a topic level');
  });
});
