#!/usr/bin/env node
// The process edge: argv, signals and exit codes. The only file that touches `process`.
import { EventEmitter } from 'node:events';
import { COMMANDS } from './cli/index.js';
import { EXIT } from './exit-codes.js';
import { type Command } from './cli/command.js';
import { formatOptions, HELP_OPTION, parseOptions } from './cli/options.js';
import { closest } from './config/suggest.js';
import { ConfigError, formatProblem } from './config/errors.js';
import { StoreError } from './store/db.js';
import { errorStack } from './error-message.js';
import { packageVersion } from './cli/version.js';

const SHUTDOWN_DEADLINE_MS = 5_000;
const out = (text: string): void => void process.stdout.write(text);
const err = (text: string): void => void process.stderr.write(text);

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `faultline: learns to predict production-line faults from MQTT telemetry\n\nUsage: faultline <command> [options]\n       faultline --version\n\nCommands:\n${lines.join('\n')}\n\nRun "faultline <command> --help" for a command's options.\n`;
}

function commandHelp(command: Command): string {
  const { arguments: args, options } = formatOptions([...command.options, HELP_OPTION], command.arguments?.help);
  const argSection = args === '' ? '' : `Arguments:\n${args}\n\n`;
  const notes = command.notes ? `\n${command.notes}\n` : '';
  return `Usage: ${command.usage}\n\n${command.summary}\n\n${argSection}Options:\n${options}\n${notes}`;
}

/** First SIGTERM/SIGINT asks for a clean stop with a deadline; a second one exits at once. */
function installSignals(signals: EventEmitter): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      err(`faultline: second ${signal}, exiting without waiting\n`);
      process.exit(130);
    }
    stopping = true;
    setTimeout(() => {
      err(`faultline: shutdown took longer than ${SHUTDOWN_DEADLINE_MS / 1000} s, exiting\n`);
      process.exit(EXIT.failed);
    }, SHUTDOWN_DEADLINE_MS).unref();
    signals.emit('shutdown', signal);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => signals.emit('reload'));
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const command = COMMANDS.find((c) => c.name === rest[0]);
    out(command ? commandHelp(command) : usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    out(`faultline ${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(`faultline: ${unknownCommand(name)}\nRun "faultline --help" for the commands.\n`);
    return EXIT.usage;
  }
  const parsed = parseOptions([...command.options, HELP_OPTION], rest, command.arguments?.max ?? 0);
  if ('problem' in parsed) {
    // The help option wins over a problem elsewhere on the line: "faultline run --conifg x --help".
    if (rest.includes('--help') || rest.includes('-h')) {
      out(commandHelp(command));
      return EXIT.ok;
    }
    err(`faultline ${name}: ${parsed.problem}\nUsage: ${command.usage}\nRun "faultline ${name} --help" for the options.\n`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    out(commandHelp(command));
    return EXIT.ok;
  }
  const signals = new EventEmitter();
  installSignals(signals);
  return await command.run({
    values: parsed.values,
    positionals: parsed.positionals,
    env: process.env,
    out,
    err,
    signals,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- @types/node says number; it is undefined when stdout is not a terminal
    terminal: { isTTY: process.stdout.isTTY === true, columns: () => process.stdout.columns ?? 100 },
  });
}

function unknownCommand(name: string): string {
  const dashed = name.startsWith('-');
  const guess = closest(name, dashed ? ['--version', '--help'] : COMMANDS.map((c) => c.name));
  return `unknown ${dashed ? 'option' : 'command'} "${name}"${guess ? `; did you mean "${guess}"?` : ''}`;
}

function exitCodeFor(error: unknown): number {
  if (error instanceof ConfigError) {
    for (const warning of error.warnings) err(`warning: ${formatProblem(warning)}\n`);
    err(`${error.problems.map(formatProblem).join('\n')}\n`);
    err(`faultline: the config has ${error.problems.length} problem(s); nothing was started\n`);
    return EXIT.config;
  }
  if (error instanceof StoreError) {
    err(`faultline: ${error.message}\n`);
    return EXIT.failed;
  }
  err(`faultline: ${errorStack(error)}\n`);
  return EXIT.failed;
}

process.on('uncaughtException', (error) => process.exit(exitCodeFor(error)));
process.on('unhandledRejection', (error) => process.exit(exitCodeFor(error)));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(exitCodeFor(error)),
);
