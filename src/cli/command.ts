// What every CLI command is given and returns. main.ts owns the process; commands get this context.
import type { EventEmitter } from 'node:events';
import type { ParseArgsConfig } from 'node:util';

export type Env = Readonly<Record<string, string | undefined>>;

export interface CommandContext {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  env: Env;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Emits 'shutdown' on the first SIGTERM/SIGINT and 'reload' on SIGHUP. */
  signals: EventEmitter;
  /** Whether stdout is a terminal, and its width, for commands that draw on it. */
  terminal: { isTTY: boolean; columns: () => number };
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** The option lines `--help` prints. */
  help: string;
  /** What `--help` prints after the options: exit status, signals. */
  notes?: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** The exit code, or a promise of it. */
  run: (ctx: CommandContext) => Promise<number> | number;
}

export const CONFIG_OPTION = {
  config: { type: 'string', short: 'c' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const CONFIG_HELP =
  '  -c, --config FILE  config file (default: $FAULTLINE_CONFIG, else /etc/faultline/faultline.yaml,\n' +
  '                     else ./config/faultline.yaml)';
