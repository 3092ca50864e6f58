// FAULTLINE_* environment variables: FAULTLINE_CONFIG names the file, FAULTLINE_MQTT_PASSWORD the
// broker password, and FAULTLINE_SECTION__KEY=value sets any key; any other FAULTLINE_* variable is
// a slip that draws a warning. Pure: takes the environment as data.
import { parseDocument } from 'yaml';
import { schemaDocs, type SchemaDoc } from './describe.js';
import { keyPath, type ConfigProblem } from './errors.js';
import { closest } from './suggest.js';
import { YAML_OPTIONS, cutByComment } from './yaml.js';

export type Env = Readonly<Record<string, string | undefined>>;

export const CONFIG_ENV = 'FAULTLINE_CONFIG';
export const PASSWORD_ENV = 'FAULTLINE_MQTT_PASSWORD';
const OVERRIDE_PREFIX = 'FAULTLINE_';

/** FAULTLINE_MQTT__URL=... sets mqtt.url: `__` separates levels, values are read as YAML scalars. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: Env): Map<string, string> {
  const applied = new Map<string, string>();
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(OVERRIDE_PREFIX) || value === undefined) continue;
    const path = overridePath(variable);
    if (path === null) continue;
    setAt(raw, path, parseEnvValue(value));
    applied.set(keyPath(path), variable);
  }
  return applied;
}

/** The key path a FAULTLINE_SECTION__KEY variable sets, or null when it names none. */
function overridePath(variable: string): Array<string | number> | null {
  if (variable === CONFIG_ENV || variable === PASSWORD_ENV) return null;
  const path = variable
    .slice(OVERRIDE_PREFIX.length)
    .split('__')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.toLowerCase()));
  return path.length < 2 || path.some((part) => part === '') ? null : path;
}

/**
 * Read as a YAML scalar (numbers, true/false, lists), except that " #" does not start a comment:
 * a variable has no comments, and FAULTLINE_MQTT__PASSWORD='abc #1' means all of it.
 */
function parseEnvValue(value: string): unknown {
  const doc = parseDocument(value, YAML_OPTIONS);
  if (doc.errors.length > 0 || cutByComment(doc, value, []) !== null) return value;
  return doc.toJS() ?? null;
}

/**
 * A warning for each FAULTLINE_* variable that sets nothing, with the variable it most likely means:
 * FAULTLINE_MQTT_URL (one underscore) is silently ignored otherwise.
 */
export function unknownVariables(env: Env): ConfigProblem[] {
  const known = [CONFIG_ENV, PASSWORD_ENV, ...variableNames(schemaDocs(), [])];
  const problems: ConfigProblem[] = [];
  for (const variable of Object.keys(env)) {
    if (!variable.startsWith(OVERRIDE_PREFIX) || known.includes(variable) || overridePath(variable) !== null) continue;
    const bare = (name: string): string => name.slice(OVERRIDE_PREFIX.length);
    const guess = closest(bare(variable), known.map(bare));
    const likely = guess === null ? null : `${OVERRIDE_PREFIX}${guess}`;
    problems.push({
      at: { env: variable },
      key: likely === null ? '(unknown)' : keyOfVariable(likely),
      message:
        likely === null
          ? `is not a faultline variable and is ignored; faultline reads ${CONFIG_ENV}, ${PASSWORD_ENV} and ${OVERRIDE_PREFIX}SECTION__KEY (two underscores between levels, e.g. ${OVERRIDE_PREFIX}MQTT__URL)`
          : `is ignored; did you mean ${likely}? (two underscores between levels)`,
    });
  }
  return problems;
}

/** FAULTLINE_SECTION__KEY for every key of the schema; list entries as their first, __0__. */
function variableNames(doc: SchemaDoc, path: string[]): string[] {
  const node = doc.items ?? doc;
  const prefix = doc.items ? [...path, '0'] : path;
  const children = Object.entries(node.properties ?? {});
  if (children.length === 0) return path.length < 2 ? [] : [`${OVERRIDE_PREFIX}${path.join('__').toUpperCase()}`];
  return children.flatMap(([name, child]) => variableNames(child, [...prefix, name]));
}

function keyOfVariable(variable: string): string {
  if (variable === CONFIG_ENV) return '(file)';
  if (variable === PASSWORD_ENV) return 'mqtt.password';
  return keyPath(overridePath(variable) ?? []);
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
