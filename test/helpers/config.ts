// Writes agent configs for tests: a temp-dir buffer, loopback everything, and the test's own keys.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export type ConfigTree = Record<string, unknown>;

/** Deep-merges `override` into `base` (objects merge, everything else replaces). */
export function merge(base: ConfigTree, override: ConfigTree): ConfigTree {
  const out: ConfigTree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    const bothObjects = [current, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    out[key] = bothObjects ? merge(current as ConfigTree, value as ConfigTree) : value;
  }
  return out;
}

export function baseConfig(dir: string): ConfigTree {
  return {
    agent: { id: 'test-gw' },
    storage: { path: join(dir, 'faultline.db') },
    http: { listen: 'off' },
    log: { level: 'info' },
  };
}

/** Writes `dir/name` (default faultline.yaml) and returns its path. */
export function writeConfig(dir: string, override: ConfigTree = {}, name = 'faultline.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(merge(baseConfig(dir), override)), { mode: 0o600 });
  return file;
}
