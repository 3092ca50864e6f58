// External programs some tests need (Mosquitto, Chromium, promtool): where they are, and a suite
// that is skipped visibly, naming the install command, where one is missing.
import { accessSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { describe } from 'vitest';

const EXTRA_SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/opt/homebrew/sbin'];

export interface Tool {
  /** What the skip message calls it. */
  readonly name: string;
  /** Its absolute path, or undefined when it is not installed. */
  readonly path: () => string | undefined;
  readonly install: string;
}

/** Absolute path of an executable named `name` in $PATH or the sbin dirs, if any. */
export function findExecutable(name: string): string | undefined {
  const pathDirs = (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...pathDirs, ...EXTRA_SEARCH_DIRS]) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** $<envName> when set (the only candidate: /nonexistent simulates a machine without it), else `names` on the PATH. */
export function locate(envName: string, ...names: string[]): () => string | undefined {
  return () => {
    const fromEnv = process.env[envName];
    if (fromEnv) return isExecutable(fromEnv) ? fromEnv : undefined;
    for (const name of names) {
      const found = findExecutable(name);
      if (found) return found;
    }
    return undefined;
  };
}

/** `describe` when `tool` is installed; otherwise a visible skipped suite whose title says how to install it, and a warning line on stderr. */
export function describeWithTool(tool: Tool, name: string, fn: () => void): void {
  if (tool.path() !== undefined) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`WARNING: skipping "${name}": ${tool.name} not installed (${tool.install})\n`);
  describe.skip(`${name} — SKIPPED: ${tool.name} not installed (${tool.install})`, fn);
}

export const CHROMIUM: Tool = { name: 'chromium', path: locate('CHROMIUM_BIN', 'chromium', 'chromium-browser'), install: 'sudo apt-get install -y chromium' };
export const PROMTOOL: Tool = { name: 'promtool', path: locate('PROMTOOL_BIN', 'promtool'), install: 'sudo apt-get install -y prometheus' };
