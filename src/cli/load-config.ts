// Resolves and loads the config for a command; a ConfigError propagates to main.ts (exit 78).
import { existsSync } from 'node:fs';
import { loadConfig, resolveConfigPath, type LoadedConfig } from '../config/load.js';
import type { CommandContext } from './command.js';

export function loadConfigFor(ctx: CommandContext): LoadedConfig {
  const file = resolveConfigPath(ctx.values.config as string | undefined, ctx.env, existsSync);
  return loadConfig(file, ctx.env);
}
