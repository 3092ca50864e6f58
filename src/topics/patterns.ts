// Topic patterns with named captures ("plant/+line/+asset/telemetry") and output topic templates
// ("plant/{line}/{asset}/status"). Pure: no MQTT client, no I/O.
import { DEFAULT_PREDICTION_TOPIC } from './contract.js';

export interface TopicPattern {
  readonly source: string;
  /** The MQTT subscription filter: captures become `+`. */
  readonly filter: string;
  readonly captureNames: readonly string[];
  readonly match: (topic: string) => Record<string, string> | null;
}

const CAPTURE_NAME = /^[a-z][a-z0-9_]*$/;

/** Parses a pattern, or throws an Error whose message says what to write instead. */
export function parsePattern(source: string): TopicPattern {
  if (source.length === 0) throw new Error('is empty; write a topic such as plant/+line/+asset/telemetry');
  const levels = source.split('/');
  const names: Array<string | null> = [];
  const literals: Array<string | null> = [];
  let multiLevel = false;
  levels.forEach((level, index) => {
    if (level === '#') {
      if (index !== levels.length - 1) throw new Error('has # before the last level; # may only end a topic');
      multiLevel = true;
      return;
    }
    if (level.startsWith('+')) {
      const name = level.slice(1);
      if (name !== '' && !CAPTURE_NAME.test(name)) {
        throw new Error(`has capture "${level}"; a capture is + followed by a lower-case name, like +asset`);
      }
      if (name !== '' && names.includes(name)) throw new Error(`captures "${name}" twice`);
      names.push(name === '' ? null : name);
      literals.push(null);
      return;
    }
    if (level.includes('+') || level.includes('#')) {
      throw new Error(`has "${level}"; + and # must fill a whole level, as in plant/+asset/telemetry`);
    }
    names.push(null);
    literals.push(level);
  });
  const filter = levels.map((level) => (level.startsWith('+') ? '+' : level)).join('/');
  const fixedLevels = literals.length;
  const captureNames = names.filter((name): name is string => name !== null);

  const match = (topic: string): Record<string, string> | null => {
    const parts = topic.split('/');
    if (multiLevel ? parts.length < fixedLevels : parts.length !== fixedLevels) return null;
    const captures: Record<string, string> = {};
    for (let i = 0; i < fixedLevels; i++) {
      const part = parts[i]!;
      const literal = literals[i];
      if (literal !== null && literal !== undefined) {
        if (part !== literal) return null;
        continue;
      }
      const name = names[i];
      if (name) {
        if (part === '') return null; // an empty level cannot name an asset or sensor
        captures[name] = part;
      }
    }
    return captures;
  };
  return { source, filter, captureNames, match };
}

/** True when an MQTT topic filter (with + and #) matches a concrete topic name. */
export function filterMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export interface TopicTemplate {
  readonly source: string;
  readonly names: readonly string[];
  readonly render: (values: Readonly<Record<string, string | undefined>>) => string;
  /** The subscription filter that matches every topic it renders: placeholders become +. */
  readonly filter: string;
}

const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;

export function parseTemplate(source: string): TopicTemplate {
  if (source.length === 0) throw new Error(`is empty; write a topic such as ${DEFAULT_PREDICTION_TOPIC}`);
  if (/[+#]/.test(source)) throw new Error('contains + or #; a topic to publish to cannot hold wildcards');
  const stripped = source.replace(PLACEHOLDER, '');
  if (/[{}]/.test(stripped)) throw new Error('has a stray { or }; placeholders look like {asset} or {line}');
  const names = [...source.matchAll(PLACEHOLDER)].map((m) => m[1]!);
  const render = (values: Readonly<Record<string, string | undefined>>): string =>
    source.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '');
  return { source, names, render, filter: source.replace(PLACEHOLDER, '+') };
}
