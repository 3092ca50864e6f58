// `faultline check-config`: validates the config and prints the effective one, secrets masked; with
// --probe, connects to the broker as the config says and reports what arrives on its topics.
import { formatProblem } from '../config/errors.js';
import { renderConfig } from '../config/render.js';
import { parseDuration } from '../config/units.js';
import { EXIT } from '../exit-codes.js';
import { CONFIG_OPTION, type Command, type CommandContext } from './command.js';
import { loadConfigFor } from './load-config.js';

const DEFAULT_PROBE_MS = 10_000;
const LONGEST_PROBE_MS = 3_600_000;

export const checkConfig: Command = {
  name: 'check-config',
  summary: 'validate the config and print the effective config (secrets masked)',
  usage: 'faultline check-config [--config FILE] [--probe [--for 10s]]',
  options: [
    CONFIG_OPTION,
    {
      name: 'probe',
      help: "then connect to the broker with the config's credentials and TLS, listen to the\ntelemetry and fault topics, and report per entry what arrives and whether the agent\nwould store it; a running agent is not disturbed. Prints the report instead of the config",
    },
    { name: 'for', value: 'D', help: 'with --probe: how long to listen (default 10s; e.g. 30s, 2m); Ctrl-C ends it early' },
  ],
  notes: 'Exit status: 0 valid (with --probe: and the broker was reached), 78 invalid (every problem is listed as\nFILE:LINE:COL key: what to fix), 69 the broker could not be reached or refused the connection, 64 bad usage.',
  run: async (ctx) => {
    const forText = ctx.values.for;
    const probeMs = typeof forText === 'string' ? parseDuration(forText) : DEFAULT_PROBE_MS;
    if (forText !== undefined && ctx.values.probe !== true) return usage(ctx, '--for goes with --probe: faultline check-config --probe --for 30s');
    if (probeMs === null || probeMs <= 0 || probeMs > LONGEST_PROBE_MS) return usage(ctx, `--for takes a duration from 1s to 1h, such as 10s or 2m (got "${String(forText)}")`);
    const loaded = loadConfigFor(ctx);
    for (const warning of loaded.warnings) ctx.err(`warning: ${formatProblem(warning)}\n`);
    if (ctx.values.probe === true) {
      ctx.err(`${loaded.file}: config OK; probing the broker for ${forText ?? '10s'}\n`);
      const { probe } = await import('../probe/probe.js');
      return probe(ctx, loaded.config, probeMs);
    }
    ctx.out(`# effective config from ${loaded.file} (defaults filled in, secrets masked)\n`);
    ctx.out(renderConfig(loaded.config));
    ctx.err(`${loaded.file}: config OK\n`);
    return EXIT.ok;
  },
};

function usage(ctx: CommandContext, message: string): number {
  ctx.err(`faultline check-config: ${message}\nRun "faultline check-config --help" for the options.\n`);
  return EXIT.usage;
}
