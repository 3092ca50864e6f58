// Writes agent configs for tests: a temp-dir buffer, loopback everything, and the test's own keys.
import { renameSync, writeFileSync } from 'node:fs';
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
  writeAtomically(file, stringify(merge(baseConfig(dir), override)));
  return file;
}

/**
 * Writes through a temporary file and a rename, as editors that save safely do: an agent reloading
 * meanwhile reads the old file or the new one, never a half-written one.
 */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.writing`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
}
