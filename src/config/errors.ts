// A config problem as a technician reads it: `FILE:LINE:COL key.path: what is wrong, and what would be right`.

export interface ConfigProblem {
  /** "config/faultline.yaml:14:7" or "FAULTLINE_MQTT__URL (environment)". */
  where: string;
  /** "mqtt.url", "telemetry[0].topic", or "(file)" when no key applies. */
  key: string;
  message: string;
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.where} ${problem.key}: ${problem.message}`;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`config has ${count}:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
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
