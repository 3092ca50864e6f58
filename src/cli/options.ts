// A command's options from one definition: the parser (a "did you mean" for a mistyped option, a
// clear refusal of a missing value or a stray word) and the aligned lines of --help. Pure.
import { closest } from '../config/suggest.js';

export interface OptionSpec {
  /** The long name: `config` for --config. */
  name: string;
  /** One letter: `c` for -c. */
  short?: string;
  /** What the option takes, as --help shows it (`FILE`); absent for a flag that takes nothing. */
  value?: string;
  /** One or more lines (separated by \n) for --help. */
  help: string;
}

/** A word after the command that is not an option, as --help lists it. */
export interface ArgumentSpec {
  name: string;
  help: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', help: 'show this help' };

/**
 * Reads `args` against `specs`: `--name value`, `--name=value`, `-x value`, flags, and `--` before
 * words that start with a dash. More than `maxPositionals` words is a problem, as is any unknown
 * option; the first problem is returned, in words a technician can act on.
 */
export function parseOptions(specs: readonly OptionSpec[], args: readonly string[], maxPositionals: number): ParsedArgs | { problem: string } {
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!isOption(arg)) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const written = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const spec = arg.startsWith('--') ? specs.find((s) => `--${s.name}` === written) : specs.find((s) => `-${s.short}` === written);
    if (!spec) return { problem: unknownOption(written, specs) };
    if (spec.value === undefined) {
      if (written !== arg) return { problem: `${written} takes no value (got "${arg}")` };
      values[spec.name] = true;
      continue;
    }
    if (written !== arg) {
      values[spec.name] = arg.slice(eq + 1);
      continue;
    }
    const next = args[i + 1];
    if (next === undefined || isOption(next)) return { problem: `${written} needs a value: ${written} ${spec.value}` };
    values[spec.name] = next;
    i++;
  }
  if (positionals.length > maxPositionals) return { problem: strayWord(positionals[maxPositionals]!, specs) };
  return { values, positionals };
}

/** Option lines, the flags in one column and the text in the next, continuation lines aligned. */
export function formatOptions(specs: readonly OptionSpec[], args: readonly ArgumentSpec[] = []): { arguments: string; options: string } {
  const flag = (s: OptionSpec): string => `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.value ? ` ${s.value}` : ''}`;
  const rows = specs.map((s) => [flag(s), s.help] as const);
  const argRows = args.map((a) => [a.name, a.help] as const);
  const width = Math.max(...[...rows, ...argRows].map(([left]) => left.length));
  const render = (list: ReadonlyArray<readonly [string, string]>): string =>
    list
      .map(([left, text]) =>
        text
          .split('\n')
          .map((line, i) => `  ${(i === 0 ? left : '').padEnd(width)}  ${line}`)
          .join('\n'),
      )
      .join('\n');
  return { arguments: render(argRows), options: render(rows) };
}

/** An option is a word that starts with a dash, but not a lone dash or a negative number. */
function isOption(arg: string): boolean {
  return arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg);
}

function unknownOption(written: string, specs: readonly OptionSpec[]): string {
  const names = specs.flatMap((s) => [`--${s.name}`, ...(s.short ? [`-${s.short}`] : [])]);
  const guess = written.startsWith('--') || written.length > 2 ? closest(written.replace(/^-+/, '--'), names.filter((n) => n.startsWith('--'))) : null;
  return `unknown option ${written}${guess ? `; did you mean ${guess}?` : ''}`;
}

function strayWord(word: string, specs: readonly OptionSpec[]): string {
  // A short word is close to too many names for a guess to help.
  const guess = word.length >= 4 ? closest(word.replace(/^-+/, ''), specs.map((s) => s.name)) : null;
  const configFile = /\.ya?ml$/i.test(word) && specs.some((s) => s.name === 'config');
  const hint = configFile ? `; to use it as the config, write --config ${word}` : guess ? `; did you mean --${guess}?` : '';
  return `unexpected argument "${word}"${hint}`;
}
