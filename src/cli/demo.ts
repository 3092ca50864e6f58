// `faultline demo` (what `npm start` runs): an embedded broker, a simulated line of six machines
// heading for faults in accelerated event time, and the real agent learning from it, drawn live on
// the terminal. Argument checks here; the run itself is src/demo/run.ts, loaded only when used.
import { parseDuration } from '../config/units.js';
import { EXIT } from '../exit-codes.js';
import { type Command } from './command.js';

export const demo: Command = {
  name: 'demo',
  summary: 'embedded broker + simulated line + agent, live predictions on the terminal',
  usage: 'faultline demo [--port N] [--duration 90s]',
  help:
    '      --port N         port of the embedded broker on 127.0.0.1 (default: a free one)\n' +
    '      --duration D     stop by itself after D (e.g. 90s, 5m); default: run until Ctrl-C',
  notes: 'The buffer lives in a temporary directory and is deleted at exit. Logs go to a file named at exit.',
  options: { port: { type: 'string' }, duration: { type: 'string' } },
  run: async (ctx) => {
    const port = ctx.values.port === undefined ? 0 : Number(ctx.values.port);
    const durationMs = ctx.values.duration === undefined ? null : parseDuration(String(ctx.values.duration));
    const badDuration = ctx.values.duration !== undefined && durationMs === null;
    if (!Number.isInteger(port) || port < 0 || port > 65535 || badDuration) {
      ctx.err('faultline demo: --port takes a port number and --duration a duration such as 90s\n');
      return EXIT.usage;
    }
    const { runDemo } = await import('../demo/run.js');
    return runDemo(ctx, port, durationMs);
  },
};

