// Loads the config a technician edits: finds and reads the file, validates it (parse.ts, pure), then
// checks the files it names (files.ts), and reports every problem at once. Never writes the file back.
import { readFileSync } from 'node:fs';
import { errorCode, errorMessage } from '../error-message.js';
import { CONFIG_ENV, type Env } from './env.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { checkFiles, inlinePasswordWarning, resolvePassword } from './files.js';
import { validateConfig } from './parse.js';
import type { Config } from './schema.js';

export { CONFIG_ENV, PASSWORD_ENV, type Env } from './env.js';

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
  return load(readConfigText(file), file, env, true);
}

/** The text of a config file, or a ConfigError that says why it cannot be read. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([{ at: { file, line: 1, col: 1 }, key: '(file)', message: unreadable(error) }]);
  }
}

/** Validates config text and checks the files it names; `file` only names positions. */
export function parseConfig(text: string, file: string, env: Env): LoadedConfig {
  return load(text, file, env, false);
}

function load(text: string, file: string, env: Env, fromFile: boolean): LoadedConfig {
  const validated = validateConfig(text, file, env);
  const { config, checked, locate } = validated;
  const problems = [...validated.problems, ...(checked === null ? [] : checkFiles(checked, locate))];
  const password = checked === null ? null : resolvePassword(checked, env, locate);
  if (password !== null && 'problem' in password) problems.push(password.problem);
  if (config === null || password === null || 'problem' in password || problems.length > 0) throw new ConfigError(problems, validated.warnings);
  const resolved: Config = { ...config, mqtt: { ...config.mqtt, password: password.password } };
  const inline = fromFile ? inlinePasswordWarning(file, config, env, locate) : null;
  return { config: resolved, file, warnings: inline === null ? validated.warnings : [...validated.warnings, inline] };
}

function unreadable(error: unknown): string {
  switch (errorCode(error)) {
    case 'ENOENT':
      return 'the config file does not exist; pass --config FILE or set FAULTLINE_CONFIG';
    case 'EISDIR':
      return 'is a directory, not a config file; pass the YAML file itself, e.g. --config /etc/faultline/faultline.yaml';
    case 'EACCES':
      return "the config file cannot be read (EACCES); faultline's user needs read access: check its owner and mode";
    default:
      return `the config file cannot be read (${errorCode(error) ?? errorMessage(error)}); check its owner and mode`;
  }
}
