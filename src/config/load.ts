// Loads the YAML config a technician edits: keeps line and column of every key, applies FAULTLINE_*
// environment overrides, validates against schema.ts and rules.ts, and reports every problem at once.
// Reads secrets from files; never writes the technician's file back.
import { readFileSync, statSync } from 'node:fs';
import { isMap, isScalar, isSeq, parse as parseYamlValue, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, keyPath, type ConfigProblem } from './errors.js';
import { checkRules } from './rules.js';
import { configSchema, type Config } from './schema.js';
import { describeIssue } from './describe.js';

export type Env = Readonly<Record<string, string | undefined>>;

export const CONFIG_ENV = 'FAULTLINE_CONFIG';
export const PASSWORD_ENV = 'FAULTLINE_MQTT_PASSWORD';
const OVERRIDE_PREFIX = 'FAULTLINE_';
const SYSTEM_CONFIG = '/etc/faultline/faultline.yaml';
const LOCAL_CONFIG = './config/faultline.yaml';

export interface LoadedConfig {
  config: Config;
  file: string;
  /** Not fatal, but a technician should hear about them (e.g. a readable inline password). */
  warnings: ConfigProblem[];
}

/** `--config`, else $FAULTLINE_CONFIG, else /etc/faultline/faultline.yaml, else ./config/faultline.yaml. */
export function resolveConfigPath(explicit: string | undefined, env: Env, exists: (path: string) => boolean): string {
  if (explicit) return explicit;
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv) return fromEnv;
  return exists(SYSTEM_CONFIG) ? SYSTEM_CONFIG : LOCAL_CONFIG;
}

export function loadConfig(file: string, env: Env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'the config file does not exist; pass --config FILE or set FAULTLINE_CONFIG'
        : `the config file cannot be read (${code ?? (error as Error).message}); check its owner and mode`;
    throw new ConfigError([{ at: { file, line: 1, col: 1 }, key: '(file)', message }]);
  }
  const loaded = parseConfig(text, file, env);
  return { ...loaded, warnings: [...loaded.warnings, ...filePermissionWarnings(file, text, loaded.config)] };
}

/**
 * logLevel error: yaml's warnings come back as config problems, not as process warnings on stderr.
 * resolveKnownTags false: !!binary, !!set, !!timestamp and the like stay unknown tags (a problem)
 * rather than becoming Buffers, Sets and Dates that the schema would pick apart key by key.
 */
const YAML_OPTIONS = { logLevel: 'error', resolveKnownTags: false } as const;

/** Parses and validates config text; `file` is only used to name positions. */
export function parseConfig(text: string, file: string, env: Env): LoadedConfig {
  const doc = parseDocument(text, { ...YAML_OPTIONS, uniqueKeys: true, prettyErrors: false });
  const linePos = linePositions(text);
  const at = (offset: number): ConfigProblem['at'] => ({ file, ...linePos(offset) });
  if (doc.errors.length > 0) {
    // One problem per position: the parser often reports one slip several ways.
    const seen = new Set<number>();
    const errors = doc.errors.filter((error) => !seen.has(error.pos[0]) && seen.add(error.pos[0]));
    throw new ConfigError(
      errors.map((error) => {
        const found = nodeAtOffset(doc, error.pos[0]);
        // An unclosed quote is reported where the file ends; point at the value that opened it.
        const offset = error.code === 'MISSING_CHAR' ? found.start ?? error.pos[0] : error.pos[0];
        return {
          at: at(offset),
          key: keyPath(found.path),
          message: `YAML syntax: ${error.message.split('\n')[0]}; check indentation, colons and quotes here`,
        };
      }),
    );
  }

  const yamlWarnings = doc.warnings.map((warning) => ({
    at: at(warning.pos[0]),
    key: keyPath(nodeAtOffset(doc, warning.pos[0]).path),
    tag: warning.code === 'TAG_RESOLVE_FAILED',
    message: `YAML: ${warning.message.split('\n')[0]}`,
  }));
  // An unknown tag (!name) is only a warning to yaml, which keeps the text; in a config it is a slip.
  const tags = yamlWarnings.filter((w) => w.tag);
  if (tags.length > 0) {
    throw new ConfigError(tags.map(({ at, key, message }) => ({ at, key, message: `${message}; the config uses no tags (!name): remove it, or quote the value` })));
  }

  let raw: unknown;
  try {
    raw = doc.toJS() ?? {};
  } catch (error) {
    // An alias whose anchor is not set, or aliases that expand without bound ("billion laughs").
    const offset = aliasOffset(doc);
    throw new ConfigError([
      {
        at: at(offset),
        key: keyPath(nodeAtOffset(doc, offset).path),
        message: `YAML: ${(error as Error).message.split('\n')[0]}; check the anchors (&name) and aliases (*name) here, or write the values out`,
      },
    ]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([
      { at: at(0), key: '(file)', message: 'must be YAML sections such as "mqtt:" and "telemetry:", one per line' },
    ]);
  }
  const overrides = applyEnvOverrides(raw as Record<string, unknown>, env);
  const locate: Locate = (path, atKey) => {
    const joined = keyPath(path);
    for (const [overridden, variable] of overrides) {
      if (joined === overridden || joined.startsWith(`${overridden}.`) || joined.startsWith(`${overridden}[`)) {
        return { env: variable };
      }
    }
    return at(offsetOf(doc, path, atKey));
  };

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.flatMap((issue) => problemsOf(issue, raw, locate)));
  }
  const config = result.data;
  const ruleProblems = checkRules(config).map((problem) => ({
    at: locate(problem.path, false),
    key: keyPath(problem.path),
    message: problem.message,
  }));
  const secretProblems = resolvePassword(config, env, locate);
  if (ruleProblems.length + secretProblems.length > 0) throw new ConfigError([...ruleProblems, ...secretProblems]);
  return { config, file, warnings: yamlWarnings.map(({ at, key, message }) => ({ at, key, message })) };
}

type Locate = (path: ReadonlyArray<PropertyKey>, atKey: boolean) => ConfigProblem['at'];

function problemsOf(issue: z.core.$ZodIssue, raw: unknown, locate: Locate): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return { at: locate(path, true), key: keyPath(path), message: describeIssue(issue, valueAt(raw, path), key) };
    });
  }
  return [{ at: locate(issue.path, false), key: keyPath(issue.path), message: describeIssue(issue, valueAt(raw, issue.path)) }];
}

/** FAULTLINE_MQTT__URL=... sets mqtt.url: `__` separates levels, values are read as YAML scalars. */
function applyEnvOverrides(raw: Record<string, unknown>, env: Env): Map<string, string> {
  const applied = new Map<string, string>();
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(OVERRIDE_PREFIX) || value === undefined) continue;
    if (variable === CONFIG_ENV || variable === PASSWORD_ENV) continue;
    const path = variable
      .slice(OVERRIDE_PREFIX.length)
      .split('__')
      .map((part) => (/^\d+$/.test(part) ? Number(part) : part.toLowerCase()));
    if (path.length < 2 || path.some((part) => part === '')) continue;
    setAt(raw, path, parseEnvValue(value));
    applied.set(keyPath(path), variable);
  }
  return applied;
}

function parseEnvValue(value: string): unknown {
  try {
    return parseYamlValue(value, YAML_OPTIONS) ?? null;
  } catch {
    return value;
  }
}

function setAt(target: Record<string, unknown>, path: Array<string | number>, value: unknown): void {
  let node: Record<string | number, unknown> = target;
  path.slice(0, -1).forEach((part, index) => {
    const next = node[part];
    if (typeof next !== 'object' || next === null) node[part] = typeof path[index + 1] === 'number' ? [] : {};
    node = node[part] as Record<string | number, unknown>;
  });
  node[path[path.length - 1]!] = value;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = raw;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** Offset of the value at `path` (or of its key when `atKey`), else of the nearest existing parent. */
function offsetOf(doc: Document, path: ReadonlyArray<PropertyKey>, atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, part] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
      if (!pair) break;
      const keyOffset = rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = last && atKey ? keyOffset : rangeStart(node) ?? keyOffset;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
      node = node.items[part];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

/**
 * 1-based line and column of an offset, counted from the text itself: yaml's LineCounter misses the
 * line breaks inside tokens it re-reads while recovering from a syntax error.
 */
function linePositions(text: string): (offset: number) => { line: number; col: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const at = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: at - starts[lo]! + 1 };
  };
}

/** Where the first unresolvable alias is, else the first alias (for an alias bomb), else 0. */
function aliasOffset(doc: Document): number {
  let unresolved: number | undefined;
  let first: number | undefined;
  visit(doc, {
    Alias(_, node) {
      first ??= node.range?.[0];
      if (node.resolve(doc) === undefined) {
        unresolved = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first ?? 0;
}

/** The key path and the start of the deepest node spanning `offset`, to place a YAML syntax error. */
function nodeAtOffset(doc: Document, offset: number): { path: Array<string | number>; start: number | undefined } {
  const path: Array<string | number> = [];
  let node: unknown = doc.contents;
  let start = rangeStart(node);
  const spans = (item: unknown, from: number | undefined): boolean => {
    const end = (item as { range?: number[] } | null)?.range?.[2];
    // A node that starts at the error is the broken node itself, not a key the technician wrote.
    return from !== undefined && end !== undefined && from < offset && offset <= end;
  };
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) => spans(item.value ?? item.key, rangeStart(item.key)));
      if (!pair || !isScalar(pair.key)) break;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => spans(item, rangeStart(item)));
      if (index < 0) break;
      path.push(index);
      node = node.items[index];
    } else {
      break;
    }
    start = rangeStart(node) ?? start;
  }
  return { path, start };
}

/** FAULTLINE_MQTT_PASSWORD wins, then password_file, then the inline password. */
function resolvePassword(config: Config, env: Env, locate: Locate): ConfigProblem[] {
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    config.mqtt.password = fromEnv;
    return [];
  }
  const file = config.mqtt.password_file;
  if (file === null) return [];
  const path = ['mqtt', 'password_file'];
  try {
    const password = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    if (password === '') return [{ at: locate(path, false), key: keyPath(path), message: `"${file}" is empty; put the password on its first line` }];
    config.mqtt.password = password;
    return [];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return [{ at: locate(path, false), key: keyPath(path), message: `"${file}" cannot be read (${code}); faultline's user needs read access` }];
  }
}

function filePermissionWarnings(file: string, text: string, config: Config): ConfigProblem[] {
  if (config.mqtt.password === null || config.mqtt.password_file !== null) return [];
  if (!/^\s*password\s*:/m.test(text)) return []; // the password came from the environment
  const mode = statSync(file).mode;
  if ((mode & 0o077) === 0) return [];
  return [
    {
      at: { file, line: 1, col: 1 },
      key: 'mqtt.password',
      message: `is inline in a file that others can read (mode ${(mode & 0o777).toString(8)}); move it to mqtt.password_file or run chmod 600 ${file}`,
    },
  ];
}
