// The config's step that looks at the file system, after validation: the files it names exist and can
// be read, the broker password is read from where it is kept, the HTTP token file holds a token, and
// an inline password in a file others can read draws a warning.
import { readFileSync, statSync } from 'node:fs';
import { errorCode } from '../error-message.js';
import { PASSWORD_ENV, type Env } from './env.js';
import { keyPath, type ConfigProblem } from './errors.js';
import type { Locate } from './parse.js';
import type { Config } from './schema.js';

const FILE_KEYS = ['password_file', 'ca', 'cert', 'key'] as const;

/** A bearer token shorter than this is guessable. */
const MIN_TOKEN_LENGTH = 16;

/** Problems with the files mqtt.password_file, ca, cert and key, and http.token_file name. */
export function checkFiles(config: Config, locate: Locate): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of FILE_KEYS) {
    const path = config.mqtt[key];
    if (path === null) continue;
    const problem = fileProblem(path);
    if (problem !== null) problems.push({ at: locate(['mqtt', key], false), key: keyPath(['mqtt', key]), message: problem });
  }
  const tokenFile = config.http.token_file;
  if (tokenFile !== null) {
    const token = readToken(tokenFile);
    if (typeof token !== 'string') problems.push({ at: locate(['http', 'token_file'], false), key: 'http.token_file', message: token.problem });
  }
  return problems;
}

/**
 * The HTTP bearer token: the first line of http.token_file, read again whenever the HTTP endpoint
 * starts. It is never put into the config, which check-config prints and the agent logs.
 */
export function readToken(file: string): string | { problem: string } {
  const problem = fileProblem(file);
  if (problem !== null) return { problem };
  const token = firstLine(file);
  if (typeof token !== 'string') return token;
  if (token.trim().length < MIN_TOKEN_LENGTH) {
    return { problem: `"${file}" must hold a token of at least ${MIN_TOKEN_LENGTH} characters on its first line; make one with: openssl rand -hex 32 > ${file}` };
  }
  return token.trim();
}

function firstLine(file: string): string | { problem: string } {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
  } catch (error) {
    return { problem: `"${file}" cannot be read (${errorCode(error) ?? 'error'}); faultline's user needs read access` };
  }
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
  const password = firstLine(file);
  if (typeof password !== 'string') return problem(password.problem);
  return password === '' ? problem(`"${file}" is empty; put the password on its first line`) : { password };
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
