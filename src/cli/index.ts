// The command table: every `faultline` subcommand, in the order `--help` lists them.
import { checkConfig } from './check-config.js';
import type { Command } from './command.js';
import { models } from './models.js';
import { notBuilt } from './not-built.js';
import { run } from './run.js';
import { status } from './status.js';
import { train } from './train.js';

export const COMMANDS: readonly Command[] = [
  run,
  notBuilt('demo', 'faultline demo [--port N] [--duration 90s]', 'embedded broker + simulated line + agent, live on the terminal', 5),
  checkConfig,
  train,
  status,
  models,
  notBuilt('replay', 'faultline replay FILE.csv --url URL [--topic T] [--rate N]', 'publish a CSV as telemetry', 5),
];
