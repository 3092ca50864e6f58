// `faultline demo` (what `npm start` runs): an embedded broker, a simulated line of six machines and
// the real agent, drawn live on the terminal. Argument checks here; src/demo/run.ts is loaded only when
// used, so a production install without the development dependencies (aedes) never loads it.
import { parseDuration } from '../config/units.js';
import { EXIT } from '../exit-codes.js';
import { type Command } from './command.js';

export const demo: Command = {
  name: 'demo',
  summary: 'embedded broker + simulated line + agent, live predictions on the terminal',
  usage: 'faultline demo [--port N] [--duration 90s]',
  notes:
    'The buffer lives in a temporary directory and is deleted at exit. Logs go to a file named at exit.\n' +
    'Exit status: 0 done, 64 bad usage, 1 without the development install (aedes) or on a failure.',
  options: [
    { name: 'port', value: 'N', help: 'port of the embedded broker on 127.0.0.1 (default: a free one)' },
    { name: 'duration', value: 'D', help: 'stop by itself after D (e.g. 90s, 5m); default: run until Ctrl-C' },
  ],
  run: async (ctx) => {
    const port = ctx.values.port === undefined ? 0 : Number(ctx.values.port);
    const durationMs = ctx.values.duration === undefined ? null : parseDuration(String(ctx.values.duration));
    const badDuration = ctx.values.duration !== undefined && durationMs === null;
    if (!Number.isInteger(port) || port < 0 || port > 65535 || badDuration) {
      ctx.err('faultline demo: --port takes a port number and --duration a duration such as 90s\n');
      return EXIT.usage;
    }
    let demoRun: typeof import('../demo/run.js');
    try {
      demoRun = await import('../demo/run.js');
    } catch (error) {
      if (!isMissingAedes(error)) throw error;
      ctx.err(
        'faultline demo: the demo needs the development install: its embedded broker (aedes) is a development\n' +
          'dependency, left out of the package. Run it from a git checkout: npm ci && npm start\n',
      );
      return EXIT.failed;
    }
    return demoRun.runDemo(ctx, port, durationMs);
  },
};

/** A production install (npm prune --omit=dev, the Debian package) has no aedes. */
function isMissingAedes(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === 'ERR_MODULE_NOT_FOUND' && /'aedes'/.test(e.message ?? '');
}
