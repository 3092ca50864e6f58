// `check-config --probe`: listens to the configured topics for a while and reports what the agent
// would make of what arrives. Exit 0 when the broker was reached, 69 when it was not.
import type { CommandContext } from '../cli/command.js';
import type { Config } from '../config/schema.js';
import { EXIT } from '../exit-codes.js';
import { sparkplugDecoderFor } from '../ingest/routes.js';
import { BrokerConnectError } from '../mqtt/open-client.js';
import { listen, type Listening } from '../mqtt/probe-client.js';
import { formatProbe } from './report.js';
import { ProbeTally } from './tally.js';

export async function probe(ctx: CommandContext, config: Config, ms: number): Promise<number> {
  const tally = new ProbeTally(config, await sparkplugDecoderFor(config));
  let listening: Listening;
  try {
    listening = await listen(config.mqtt, config.agent.id, tally.filters(), (message) => tally.add(message));
  } catch (error) {
    const why = error instanceof BrokerConnectError ? error.description : `the connection was lost while subscribing (${String(error)})`;
    ctx.err(`faultline check-config --probe: cannot connect to ${config.mqtt.url}: ${why}\n`);
    return EXIT.unavailable;
  }
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const interrupted = new Promise<{ lost: null }>((resolve) => {
    timer = setTimeout(() => resolve({ lost: null }), ms);
    ctx.signals.once('shutdown', () => resolve({ lost: null }));
  });
  const { lost } = await Promise.race([listening.ended, interrupted]);
  clearTimeout(timer);
  await listening.stop();
  ctx.out(
    formatProbe(tally.entries(), {
      url: config.mqtt.url,
      clientId: listening.clientId,
      seconds: (Date.now() - started) / 1000,
      granted: listening.granted,
      lost,
      unrouted: tally.unrouted,
    }),
  );
  return EXIT.ok;
}
