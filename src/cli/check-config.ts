// `faultline check-config`: validates the config and prints the effective one, secrets masked.
import { formatProblem } from '../config/errors.js';
import { renderConfig } from '../config/render.js';
import { EXIT } from '../exit-codes.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { loadConfigFor } from './load-config.js';

export const checkConfig: Command = {
  name: 'check-config',
  summary: 'validate the config and print the effective config (secrets masked)',
  usage: 'faultline check-config [--config FILE]',
  notes: 'Exit status: 0 valid, 78 invalid (every problem is listed as FILE:LINE:COL key: what to fix).',
  options: [CONFIG_OPTION],
  run: (ctx) => {
    const loaded = loadConfigFor(ctx);
    for (const warning of loaded.warnings) ctx.err(`warning: ${formatProblem(warning)}\n`);
    ctx.out(`# effective config from ${loaded.file} (defaults filled in, secrets masked)\n`);
    ctx.out(renderConfig(loaded.config));
    ctx.err(`${loaded.file}: config OK\n`);
    return EXIT.ok;
  },
};
