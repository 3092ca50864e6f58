// The problems a config text is refused with, as a technician reads them (file:line:col key: ...).
import { ConfigError, formatProblem } from '../../../src/config/errors.js';
import { parseConfig } from '../../../src/config/load.js';

export function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, 'f.yaml', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('expected the config to be refused');
}
