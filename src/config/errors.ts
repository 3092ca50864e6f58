// A config problem as a technician reads it: `FILE:LINE:COL key.path: what is wrong, and what would be right`.

export interface ConfigProblem {
  /** The config file, with a 1-based line and column, or the environment variable that set the key. */
  at: { file: string; line: number; col: number } | { env: string };
  /** "mqtt.url", "telemetry[0].topic", or "(file)" when no key applies. */
  key: string;
  message: string;
}

export function formatProblem({ at, key, message }: ConfigProblem): string {
  const where = 'env' in at ? `${at.env} (environment)` : `${at.file}:${at.line}:${at.col}`;
  return `${where} ${key}: ${message}`;
}

/** File problems in reading order, then environment ones: the order a technician fixes them in. */
function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  if ('env' in a.at || 'env' in b.at) return Number('env' in a.at) - Number('env' in b.at);
  return a.at.line - b.at.line || a.at.col - b.at.col;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  /** `warnings` are not why the config is refused, but a technician fixing it should hear them too. */
  constructor(
    problems: readonly ConfigProblem[],
    readonly warnings: readonly ConfigProblem[] = [],
  ) {
    const sorted = [...problems].sort(byPosition);
    const count = sorted.length === 1 ? '1 problem' : `${sorted.length} problems`;
    super(`config has ${count}:\n${sorted.map(formatProblem).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = sorted;
  }
}

export function keyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(file)' : out;
}
