// Validates config text: YAML, FAULTLINE_* overrides, the schema, then the cross-key rules, every
// problem with its position. Pure: no file system (files are checked in files.ts, after this).
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { errorMessage } from '../error-message.js';
import { describeIssue } from './describe.js';
import { applyEnvOverrides, unknownVariables, type Env } from './env.js';
import { ConfigError, keyPath, type ConfigProblem } from './errors.js';
import { checkRules, type RuleProblem } from './rules.js';
import { configSchema, type Config } from './schema.js';
import { YAML_OPTIONS, aliasOffset, cutByComment, linePositions, nodeAtOffset, offsetOf } from './yaml.js';

/** Where the value at a key path was set (its key's position when `atKey`): a file position, or the variable. */
export type Locate = (path: ReadonlyArray<PropertyKey>, atKey: boolean) => ConfigProblem['at'];

export interface Validated {
  /** The config, or null when the schema refused it. */
  readonly config: Config | null;
  /** The config with refused values left at their defaults, for the checks after this one; null when none can be made. */
  readonly checked: Config | null;
  /**
   * Every schema and cross-key problem. Rules run even when the schema refused some values: on the
   * config with those values left at their defaults, so that one run lists them all.
   */
  readonly problems: ConfigProblem[];
  /** Not fatal: YAML warnings, a password cut short by a comment, FAULTLINE_* variables that set nothing. */
  readonly warnings: ConfigProblem[];
  readonly locate: Locate;
}

const PASSWORD_PATH = ['mqtt', 'password'];

/**
 * Throws a ConfigError only for text that cannot be read as a config at all (YAML syntax, tags,
 * aliases, not a mapping); everything else comes back as `problems`.
 */
export function validateConfig(text: string, file: string, env: Env): Validated {
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
        const offset = error.code === 'MISSING_CHAR' ? (found.start ?? error.pos[0]) : error.pos[0];
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
        message: `YAML: ${errorMessage(error).split('\n')[0]}; check the anchors (&name) and aliases (*name) here, or write the values out`,
      },
    ]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([{ at: at(0), key: '(file)', message: 'must be YAML sections such as "mqtt:" and "telemetry:", one per line' }]);
  }
  const overrides = applyEnvOverrides(raw as Record<string, unknown>, env);
  const locate: Locate = (path, atKey) => {
    const joined = keyPath(path);
    for (const [overridden, variable] of overrides) {
      if (joined === overridden || joined.startsWith(`${overridden}.`) || joined.startsWith(`${overridden}[`)) return { env: variable };
    }
    return at(offsetOf(doc, path, atKey));
  };
  const warnings: ConfigProblem[] = [...yamlWarnings.map(({ at, key, message }) => ({ at, key, message })), ...unknownVariables(env)];
  const cut = cutByComment(doc, text, PASSWORD_PATH);
  if (cut !== null && !('env' in locate(PASSWORD_PATH, false))) {
    warnings.push({
      at: at(cut),
      key: keyPath(PASSWORD_PATH),
      message: 'YAML ends an unquoted value at " #": the password is only what comes before it, the rest is a comment; if the # belongs to the password, put the password in quotes',
    });
  }

  const result = configSchema.safeParse(raw);
  const schemaProblems = result.success ? [] : result.error.issues.flatMap((issue) => problemsOf(issue, raw, locate));
  const refused = result.success ? [] : result.error.issues.flatMap(refusedPaths);
  const checked = result.success ? result.data : withDefaultsFor(raw, refused);
  const rules = (checked === null ? [] : checkRules(checked)).filter((problem) => !refused.some((path) => overlaps(path, problem.path)));
  const located = (problem: RuleProblem): ConfigProblem => ({ at: locate(problem.path, false), key: keyPath(problem.path), message: problem.message });
  const ruleProblems = rules.filter((problem) => !problem.warning).map(located);
  warnings.push(...rules.filter((problem) => problem.warning).map(located));
  return { config: result.success ? result.data : null, checked, problems: [...schemaProblems, ...ruleProblems], warnings, locate };
}

function problemsOf(issue: z.core.$ZodIssue, raw: unknown, locate: Locate): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return { at: locate(path, true), key: keyPath(path), message: describeIssue(issue, valueAt(raw, path), key) };
    });
  }
  return [{ at: locate(issue.path, false), key: keyPath(issue.path), message: describeIssue(issue, valueAt(raw, issue.path)) }];
}

/** The key paths an issue refuses: the value at its path, or each unknown key. */
function refusedPaths(issue: z.core.$ZodIssue): PropertyKey[][] {
  return issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [[...issue.path]];
}

/**
 * The config with every refused value removed, so that its default applies; null when that is not
 * possible (a refused list entry: removing it would renumber the entries the rules point at).
 */
function withDefaultsFor(raw: unknown, refused: ReadonlyArray<ReadonlyArray<PropertyKey>>): Config | null {
  const copy = structuredClone(raw) as Record<PropertyKey, unknown>;
  for (const path of refused) {
    const last = path[path.length - 1];
    const parent = valueAt(copy, path.slice(0, -1));
    if (last === undefined || typeof last === 'number' || typeof parent !== 'object' || parent === null || Array.isArray(parent)) return null;
    delete (parent as Record<PropertyKey, unknown>)[last];
  }
  const again = configSchema.safeParse(copy);
  return again.success ? again.data : null;
}

/** True when one path is the other or lies inside it. */
function overlaps(a: ReadonlyArray<PropertyKey>, b: ReadonlyArray<PropertyKey>): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = raw;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}
