// FAULTLINE_* environment variables: FAULTLINE_CONFIG names the file, FAULTLINE_MQTT_PASSWORD the
// broker password, and FAULTLINE_SECTION__KEY=value sets any key. Pure: takes the environment as data.
import { parse as parseYamlValue } from 'yaml';
import { keyPath } from './errors.js';
import { YAML_OPTIONS } from './yaml.js';

export type Env = Readonly<Record<string, string | undefined>>;

export const CONFIG_ENV = 'FAULTLINE_CONFIG';
export const PASSWORD_ENV = 'FAULTLINE_MQTT_PASSWORD';
const OVERRIDE_PREFIX = 'FAULTLINE_';

/** FAULTLINE_MQTT__URL=... sets mqtt.url: `__` separates levels, values are read as YAML scalars. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: Env): Map<string, string> {
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
