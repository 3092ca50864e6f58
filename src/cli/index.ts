// The command table: every `faultline` subcommand, in the order `--help` lists them.
import { checkConfig } from './check-config.js';
import type { Command } from './command.js';
import { notBuilt } from './not-built.js';
import { run } from './run.js';
import { status } from './status.js';

export const COMMANDS: readonly Command[] = [
  run,
  notBuilt('demo', 'faultline demo [--port N] [--duration 90s]', 'embedded broker + simulated line + agent, live on the terminal', 5),
  checkConfig,
  notBuilt('train', 'faultline train [--config FILE]', 'retrain now from the buffer and print the model card', 4),
  status,
  notBuilt('models', 'faultline models [--config FILE] | faultline models use VERSION', 'list model versions; roll back or forward', 4),
  notBuilt('replay', 'faultline replay FILE.csv --url URL [--topic T] [--rate N]', 'publish a CSV as telemetry', 5),
];
