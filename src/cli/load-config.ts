// Resolves and loads the config for a command; a ConfigError propagates to main.ts (exit 78).
import { existsSync, statSync } from 'node:fs';
import { ConfigError } from '../config/errors.js';
import { loadConfig, resolveConfigPath, type LoadedConfig } from '../config/load.js';
import type { CommandContext } from './command.js';

export function loadConfigFor(ctx: CommandContext): LoadedConfig {
  const file = resolveConfigPath(ctx.values.config as string | undefined, ctx.env, existsSync);
  return loadConfig(file, ctx.env);
}

/**
 * The config for a reload (SIGHUP). An empty file is valid at startup (every key has a default,
 * and the environment may set the rest), but on a reload it is far more likely a file caught
 * half-written by an editor or a copy: applying it would swap the running config for defaults.
 */
export function reloadConfigFor(ctx: CommandContext): LoadedConfig {
  const file = resolveConfigPath(ctx.values.config as string | undefined, ctx.env, existsSync);
  if (existsSync(file) && statSync(file).size === 0) {
    throw new ConfigError([{ at: { file, line: 1, col: 1 }, key: '(file)', message: 'is empty, perhaps still being written; save it again, then reload' }]);
  }
  return loadConfig(file, ctx.env);
}
