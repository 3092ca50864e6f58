// What every CLI command is given and returns. main.ts owns the process; commands get this context.
import type { EventEmitter } from 'node:events';
import type { ArgumentSpec, OptionSpec, OptionValues } from './options.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface CommandContext {
  values: OptionValues;
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
  /** Parsed by, and listed in --help from, this one definition. */
  options: readonly OptionSpec[];
  /** Words after the command that are not options: at most `max`, listed under Arguments in --help. */
  arguments?: { max: number; help: readonly ArgumentSpec[] };
  /** What `--help` prints after the options: exit status, signals. */
  notes?: string;
  /** The exit code, or a promise of it. */
  run: (ctx: CommandContext) => Promise<number> | number;
}

export const CONFIG_OPTION: OptionSpec = {
  name: 'config',
  short: 'c',
  value: 'FILE',
  help: 'config file (default: $FAULTLINE_CONFIG, else /etc/faultline/faultline.yaml,\nelse ./config/faultline.yaml)',
};
