// `faultline run`: the agent as systemd runs it. Starts every part, reloads on SIGHUP (a bad file is
// logged and the running config kept), and stops cleanly on SIGTERM/SIGINT.
import { once } from 'node:events';
import { Agent } from '../agent.js';
import { ConfigError, formatProblem } from '../config/errors.js';
import { displayConfig } from '../config/render.js';
import { createLogger, logDestination, stdoutLogFormat, type Logger } from '../log.js';
import { EXIT } from '../exit-codes.js';
import { CONFIG_OPTION, type Command, type CommandContext } from './command.js';
import { loadConfigFor, reloadConfigFor } from './load-config.js';
import { packageVersion } from './version.js';

export const run: Command = {
  name: 'run',
  summary: 'run the agent (what systemd starts)',
  usage: 'faultline run [--config FILE]',
  notes:
    'Signals: SIGTERM/SIGINT stop cleanly (a second one forces the exit); SIGHUP reloads the config.\n' +
    'Exit status: 0 after a clean stop, 78 when the config is wrong, 64 bad usage, 1 on any other failure\n' +
    '(or a stop that takes over 5 s), 130 after a second signal.',
  options: [CONFIG_OPTION],
  run: async (ctx) => {
    const loaded = loadConfigFor(ctx);
    const log = createLogger(loaded.config.log.level, logDestination(stdoutLogFormat(ctx.env, ctx.terminal.isTTY)));
    for (const warning of loaded.warnings) log.warn({ problem: formatProblem(warning) }, 'config warning');
    log.info({ version: packageVersion(), file: loaded.file, config: displayConfig(loaded.config) }, 'config loaded');
    const agent = new Agent(loaded, log);
    try {
      await agent.start();
    } catch (error) {
      await agent.stop();
      throw error;
    }
    const reloads = reloadOnSignal(ctx, agent, log);
    // Signals alone do not keep Node's event loop alive; this timer does until shutdown.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    await once(ctx.signals, 'shutdown');
    clearInterval(keepAlive);
    log.info('shutdown requested');
    await reloads.settled();
    await agent.stop();
    return EXIT.ok;
  },
};

/** Serializes reloads and coalesces a storm of SIGHUPs into at most one pending reload. */
function reloadOnSignal(ctx: CommandContext, agent: Agent, log: Logger): { settled: () => Promise<void> } {
  let chain = Promise.resolve();
  let pending = false;
  ctx.signals.on('reload', () => {
    if (pending) return;
    pending = true;
    chain = chain.then(async () => {
      pending = false;
      try {
        const next = reloadConfigFor(ctx);
        for (const warning of next.warnings) log.warn({ problem: formatProblem(warning) }, 'config warning');
        await agent.reload(next);
      } catch (error) {
        if (error instanceof ConfigError) {
          log.error({ problems: error.problems.map(formatProblem) }, 'config reload rejected; the running config stays');
        } else {
          log.error({ err: error }, 'config reload failed; the previous config was restored');
        }
      }
    });
  });
  return { settled: () => chain };
}
