// The command table: every `faultline` subcommand, in the order `--help` lists them.
import { checkConfig } from './check-config.js';
import type { Command } from './command.js';
import { deadLetters } from './dead-letters.js';
import { demo } from './demo.js';
import { fleet } from './fleet.js';
import { models } from './models.js';
import { replayCommand } from './replay.js';
import { run } from './run.js';
import { status } from './status.js';
import { train } from './train.js';

export const COMMANDS: readonly Command[] = [run, demo, checkConfig, train, status, models, fleet, deadLetters, replayCommand];
