// What each column of a replayed file means (timestamp, topic labels, sensor values), and one row's
// fields → a telemetry row or the reason it is rejected. Pure: no file, clock or MQTT here.
import { readTimestamp } from '../ingest/timestamp.js';

export type TsUnit = 'auto' | 'ms' | 's';

export interface ColumnOptions {
  /** Column holding the reading time; default "ts". Absent from the file: rows get the publish time. */
  tsColumn: string;
  /** auto: epoch ms, epoch s or ISO 8601 with zone, as the agent reads them; ms/s: a number of those. */
  tsUnit: TsUnit;
  /** With tsUnit ms or s: what ts 0 stands for (epoch ms), for relative times such as C-MAPSS cycles. */
  tsOrigin: number | null;
  /** Names the topic templates use; columns of these names are labels, not sensor values. */
  placeholders: readonly string[];
  /** Label values for placeholders the file has no column for (line: "line1" by default). */
  defaults: Readonly<Record<string, string>>;
  /** Columns left out of the payload. */
  skip: readonly string[];
  /** Accept 71,2 for 71.2 (files separated by semicolons, as European spreadsheets write them). */
  decimalComma: boolean;
}

/** Columns always treated as labels: they name the asset and its line, never a sensor. */
export const LABEL_COLUMNS = Object.freeze(['asset', 'line']);

export interface ColumnPlan {
  columns: readonly string[];
  /** Index of the timestamp column, or null: stamped at publish time. */
  ts: number | null;
  labels: ReadonlyArray<{ name: string; index: number }>;
  values: ReadonlyArray<{ name: string; index: number }>;
  /** Placeholder values that come from options, not columns. */
  constants: Readonly<Record<string, string>>;
}

export interface Row {
  /** Epoch ms, or null when the file has no timestamp column. */
  ts: number | null;
  labels: Record<string, string>;
  /** Sensor values in column order; empty cells are left out. */
  values: Array<[string, number]>;
}

export type RowResult = { row: Row } | { problem: string };

/** Decides each column's role, or says what is wrong with the header in words that name the fix. */
export function planColumns(columns: readonly string[], options: ColumnOptions): { plan: ColumnPlan } | { problem: string } {
  const seen = new Set<string>();
  for (const [i, name] of columns.entries()) {
    if (name === '') return { problem: `column ${i + 1} has no name; name every column in the header or with --columns` };
    if (seen.has(name)) return { problem: `column "${name}" appears twice; column names must be unique` };
    seen.add(name);
  }
  for (const name of options.skip) {
    if (!seen.has(name)) return { problem: `--skip names "${name}", which is not a column (columns: ${columns.join(', ')})` };
  }
  const ts = columns.indexOf(options.tsColumn);
  if (options.tsColumn !== 'ts' && ts < 0) {
    return { problem: `--ts-column "${options.tsColumn}" is not a column (columns: ${columns.join(', ')})` };
  }
  const labelNames = new Set([...LABEL_COLUMNS, ...options.placeholders]);
  const labels: Array<{ name: string; index: number }> = [];
  const values: Array<{ name: string; index: number }> = [];
  columns.forEach((name, index) => {
    if (index === ts || options.skip.includes(name)) return;
    if (labelNames.has(name)) labels.push({ name, index });
    else values.push({ name, index });
  });
  const constants: Record<string, string> = {};
  for (const name of options.placeholders) {
    if (columns.includes(name)) continue;
    const fallback = options.defaults[name];
    if (fallback === undefined) {
      const flag = name === 'asset' ? '; add an asset column or pass --asset NAME' : `; add a "${name}" column or change --topic`;
      return { problem: `the topic uses {${name}} but the file has no "${name}" column${flag}` };
    }
    const bad = labelProblem(name, fallback);
    if (bad) return { problem: bad };
    constants[name] = fallback;
  }
  if (values.length === 0) return { problem: `no column is left for sensor values (columns: ${columns.join(', ')})` };
  return { plan: { columns, ts: ts < 0 ? null : ts, labels, values, constants } };
}

/** One data row's fields → a row, or the reason it is rejected (the caller adds the line number). */
export function readRow(fields: readonly string[], plan: ColumnPlan, options: Pick<ColumnOptions, 'tsUnit' | 'tsOrigin' | 'decimalComma'>): RowResult {
  if (fields.length !== plan.columns.length) {
    return { problem: `has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${plan.columns.length} (${plan.columns.join(', ')})` };
  }
  let ts: number | null = null;
  if (plan.ts !== null) {
    const read = readTs(fields[plan.ts] ?? '', options.tsUnit, options.tsOrigin);
    if ('problem' in read) return { problem: `${plan.columns[plan.ts]}: ${read.problem}` };
    ts = read.ts;
  }
  const labels: Record<string, string> = { ...plan.constants };
  for (const { name, index } of plan.labels) {
    const value = fields[index] ?? '';
    const bad = labelProblem(name, value);
    if (bad) return { problem: bad };
    labels[name] = value;
  }
  const values: Array<[string, number]> = [];
  for (const { name, index } of plan.values) {
    const text = fields[index] ?? '';
    if (text === '') continue; // an empty cell: that sensor did not report at this time
    const value = parseNumber(text, options.decimalComma);
    if (value === null) return { problem: `${name}: ${quote(text)} is not a number` };
    values.push([name, value]);
  }
  if (values.length === 0) return { problem: 'has no sensor value (every value cell is empty)' };
  return { row: { ts, labels, values } };
}

/** The telemetry payload: {"ts":...,"<sensor>":<value>,...}, ts first as in the contract's example. */
export function payloadOf(ts: number, values: ReadonlyArray<readonly [string, number]>): string {
  let json = `{"ts":${ts}`;
  for (const [name, value] of values) json += `,${JSON.stringify(name)}:${value}`;
  return `${json}}`;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

/** A finite decimal number; hex, NaN, Infinity and thousands separators are not numbers here. */
export function parseNumber(text: string, decimalComma = false): number | null {
  const t = decimalComma && DECIMAL_COMMA.test(text) ? text.replace(',', '.') : text;
  if (!NUMBER.test(t)) return null;
  const value = Number(t);
  return Number.isFinite(value) ? value : null;
}

export function readTs(text: string, unit: TsUnit, origin: number | null): { ts: number } | { problem: string } {
  if (text === '') return { problem: 'is empty' };
  if (unit === 'auto') {
    const read = readTimestamp(text);
    return read; // its problems quote the value
  }
  const value = parseNumber(text);
  if (value === null) return { problem: `${quote(text)} is not a number of ${unit === 's' ? 'seconds' : 'milliseconds'}` };
  const ts = Math.round(value * (unit === 's' ? 1000 : 1)) + (origin ?? 0);
  if (origin === null && ts <= 0) return { problem: `${quote(text)} is not a time after 1970; pass --ts-origin for relative times` };
  return { ts };
}

/** A label fills one topic level: it must be non-empty and hold no /, + or #. */
export function labelProblem(name: string, value: string): string | null {
  if (value === '') return `${name} is empty`;
  if (/[/+#]/.test(value) || value.includes('\u0000')) return `${name} ${quote(value)} cannot be a topic level (it holds /, + or #)`;
  return null;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}
