// Commands whose capability is still being built say so plainly instead of pretending.
import { CONFIG_HELP, CONFIG_OPTION, EXIT, type Command } from './command.js';

export function notBuilt(name: string, usage: string, summary: string, issue: number): Command {
  return {
    name,
    summary,
    usage,
    help: CONFIG_HELP,
    options: { ...CONFIG_OPTION, url: { type: 'string' }, topic: { type: 'string' }, rate: { type: 'string' }, port: { type: 'string' }, duration: { type: 'string' } },
    run: async (ctx) => {
      ctx.err(`faultline ${name} is not built yet (issue ${issue}); nothing was done.\n`);
      return EXIT.failed;
    },
  };
}
