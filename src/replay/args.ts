// `faultline replay` options → replay settings and broker settings, or the usage error to print.
// Pure: reads no file and opens no connection (paths are passed on for the command to read).
import { PASSWORD_ENV } from '../config/load.js';
import { parseDuration } from '../config/units.js';
import { readTimestamp } from '../ingest/timestamp.js';
import { SEPARATOR_NAMES } from './csv.js';
import { DEFAULT_FAULT_TOPIC, DEFAULT_LINE, DEFAULT_TOPIC, type ReplaySettings } from './replay.js';

export interface BrokerArgs {
  url: string;
  protocolVersion: 4 | 5;
  username?: string;
  /** From FAULTLINE_MQTT_PASSWORD; a --password-file is read by the command. */
  password?: string;
  passwordFile?: string;
  ca?: string;
  cert?: string;
  key?: string;
  maxInflight: number;
}

export interface ReplayArgs {
  file: string;
  settings: ReplaySettings;
  broker: BrokerArgs;
  json: boolean;
}

type Values = Record<string, string | boolean | undefined>;

const URL_SCHEMES = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']);

/** Thrown inside parsing to stop at the first problem; never escapes this module. */
class Usage extends Error {}

export function parseReplayArgs(values: Values, positionals: readonly string[], env: Readonly<Record<string, string | undefined>>, wallNow: number): ReplayArgs | { usage: string } {
  try {
    return parse(values, positionals, env, wallNow);
  } catch (error) {
    if (error instanceof Usage) return { usage: error.message };
    throw error;
  }
}

function parse(values: Values, positionals: readonly string[], env: Readonly<Record<string, string | undefined>>, wallNow: number): ReplayArgs {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name]) : undefined);
  if (positionals.length === 0) throw new Usage('name the file to replay: faultline replay FILE.csv --url URL');
  const url = text('url');
  if (url === undefined) throw new Usage('--url is required, e.g. --url mqtt://127.0.0.1:1883');
  if (!isBrokerUrl(url)) throw new Usage(`--url "${url}" is not a broker URL; write mqtt://host:1883, or mqtts://host:8883 for TLS`);

  const protocol = oneOf(text('protocol') ?? '5', ['4', '5'] as const, '--protocol');
  const qos = oneOf(text('qos') ?? '1', ['0', '1'] as const, '--qos');
  const tsUnit = oneOf(text('ts-unit') ?? 'auto', ['auto', 'ms', 's'] as const, '--ts-unit');

  let rate: number | null = null;
  const rateText = text('rate');
  if (rateText !== undefined) {
    rate = Number(rateText);
    if (!(rate > 0) || !Number.isFinite(rate)) throw new Usage(`--rate must be a number of messages per second above 0 (got "${rateText}")`);
  }
  const inflight = Number(text('inflight') ?? '100');
  if (!Number.isInteger(inflight) || inflight < 1 || inflight > 65535) throw new Usage(`--inflight must be a whole number from 1 to 65535 (got "${text('inflight')}")`);

  const separatorName = text('separator');
  const separator = separatorName === undefined ? null : (SEPARATOR_NAMES[separatorName] ?? null);
  if (separatorName !== undefined && separator === null) throw new Usage(`--separator must be comma, semicolon, tab or whitespace (got "${separatorName}")`);

  let tsOrigin: number | null = null;
  const originText = text('ts-origin');
  if (originText !== undefined) {
    if (tsUnit === 'auto') throw new Usage('--ts-origin needs --ts-unit s or ms: it is the time that a relative time of 0 stands for');
    tsOrigin = parseOrigin(originText, wallNow);
    if (tsOrigin === null) throw new Usage(`--ts-origin must be epoch ms, an ISO 8601 time with zone, now, or now-DURATION such as now-1d (got "${originText}")`);
  }

  const columns = list(text('columns'));
  const defaults: Record<string, string> = { line: text('line') ?? DEFAULT_LINE };
  const asset = text('asset');
  if (asset !== undefined) defaults['asset'] = asset;

  const settings: ReplaySettings = {
    columns: columns.length > 0 ? columns : null,
    separator,
    topic: text('topic') ?? DEFAULT_TOPIC,
    faultTopic: text('fault-topic') ?? DEFAULT_FAULT_TOPIC,
    faultAtEnd: values['fault-at-end'] === true,
    qos: qos === '0' ? 0 : 1,
    rate,
    tsColumn: text('ts-column') ?? 'ts',
    tsUnit,
    tsOrigin,
    defaults,
    skip: list(text('skip')),
    decimalComma: separator === ';',
  };
  const broker: BrokerArgs = { url, protocolVersion: protocol === '4' ? 4 : 5, maxInflight: inflight };
  const username = text('username');
  const password = env[PASSWORD_ENV];
  const passwordFile = text('password-file');
  if (username) broker.username = username;
  if (password) broker.password = password;
  if (passwordFile) broker.passwordFile = passwordFile;
  for (const key of ['ca', 'cert', 'key'] as const) {
    const path = text(key);
    if (path) broker[key] = path;
  }
  return { file: positionals[0] as string, settings, broker, json: values['json'] === true };
}

/** Epoch ms, ISO 8601 with zone, "now" or "now-<duration>" (wallNow is now). */
export function parseOrigin(text: string, wallNow: number): number | null {
  const relative = /^now(?:\s*-\s*(.+))?$/.exec(text.trim());
  if (relative) {
    if (relative[1] === undefined) return wallNow;
    const ms = parseDuration(relative[1]);
    return ms === null ? null : wallNow - ms;
  }
  if (/^-?\d+$/.test(text.trim())) return Number(text.trim()); // epoch ms as given, even small ones
  const read = readTimestamp(text);
  return 'ts' in read ? read.ts : null;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Usage(`${flag} must be ${allowed.join(' or ')} (got "${value}")`);
}

function list(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function isBrokerUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return URL_SCHEMES.has(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}
