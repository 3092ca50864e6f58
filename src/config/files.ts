// The config's step that looks at the file system, after validation: the files it names exist and can
// be read, the broker password is read from where it is kept, and an inline password in a file others
// can read draws a warning.
import { readFileSync, statSync } from 'node:fs';
import { errorCode } from '../error-message.js';
import { PASSWORD_ENV, type Env } from './env.js';
import { keyPath, type ConfigProblem } from './errors.js';
import type { Locate } from './parse.js';
import type { Config } from './schema.js';

const FILE_KEYS = ['password_file', 'ca', 'cert', 'key'] as const;

/** Problems with the files mqtt.password_file, ca, cert and key name. */
export function checkFiles(config: Config, locate: Locate): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of FILE_KEYS) {
    const path = config.mqtt[key];
    if (path === null) continue;
    const problem = fileProblem(path);
    if (problem !== null) problems.push({ at: locate(['mqtt', key], false), key: keyPath(['mqtt', key]), message: problem });
  }
  return problems;
}

function fileProblem(path: string): string | null {
  try {
    if (!statSync(path).isFile()) return `"${path}" is not a file`;
    return null;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return `file "${path}" does not exist; create it or fix the path`;
    return `"${path}" cannot be read (${errorCode(error) ?? 'error'}); faultline's user needs read access`;
  }
}

/**
 * The broker password: FAULTLINE_MQTT_PASSWORD wins, then the first line of password_file, then
 * the inline password. Returns it, or the problem with the file.
 */
export function resolvePassword(config: Config, env: Env, locate: Locate): { password: string | null } | { problem: ConfigProblem } {
  const fromEnv = env[PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { password: fromEnv };
  const file = config.mqtt.password_file;
  if (file === null) return { password: config.mqtt.password };
  const path = ['mqtt', 'password_file'];
  const problem = (message: string): { problem: ConfigProblem } => ({ problem: { at: locate(path, false), key: keyPath(path), message } });
  try {
    const password = readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    return password === '' ? problem(`"${file}" is empty; put the password on its first line`) : { password };
  } catch (error) {
    return problem(`"${file}" cannot be read (${errorCode(error) ?? 'error'}); faultline's user needs read access`);
  }
}

/** A warning when the password is written in the config file itself and others may read that file. */
export function inlinePasswordWarning(file: string, config: Config, env: Env, locate: Locate): ConfigProblem | null {
  const fromEnv = env[PASSWORD_ENV];
  if (config.mqtt.password === null || config.mqtt.password_file !== null || (fromEnv !== undefined && fromEnv !== '')) return null;
  const at = locate(['mqtt', 'password'], false);
  if ('env' in at) return null; // set by FAULTLINE_MQTT__PASSWORD, not written in the file
  const mode = statSync(file).mode;
  if ((mode & 0o077) === 0) return null;
  return {
    at,
    key: 'mqtt.password',
    message: `is inline in a file that others can read (mode ${(mode & 0o777).toString(8)}); move it to mqtt.password_file or run chmod 600 ${file}`,
  };
}
