// `faultline replay FILE --url URL`: publishes a CSV (or whitespace-separated) file as telemetry,
// one message per row, for commissioning and benchmarks. Wiring only: parsing lives in src/replay/.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { BrokerConnectError } from '../mqtt/open-client.js';
import { connectPublisher, type Publisher, type PublisherOptions } from '../mqtt/publishing-client.js';
import { ConfigError } from '../config/errors.js';
import { PASSWORD_ENV, readConfigText, resolveConfigPath } from '../config/load.js';
import { validateConfig } from '../config/parse.js';
import { checkTimes, timeWarnings, type Acceptance } from '../replay/time-range.js';
import { parseReplayArgs, type BrokerArgs } from '../replay/args.js';
import { fileLines, firstNonBlankLine, unreadable } from '../replay/file.js';
import { systemClock } from '../replay/pace.js';
import { DEFAULT_FAULT_TOPIC, DEFAULT_LINE, DEFAULT_TOPIC, planReplay, replay } from '../replay/replay.js';
import { formatSummary, summaryJson, summaryWarnings } from '../replay/summary.js';
import { EXIT } from '../exit-codes.js';
import { type Command, type CommandContext } from './command.js';
import type { OptionSpec } from './options.js';
import { errorMessage } from '../error-message.js';

const EXIT_INTERRUPTED = 130;

const OPTIONS: readonly OptionSpec[] = [
  { name: 'url', value: 'URL', help: 'broker: mqtt://host:1883 or mqtts://host:8883 (required)' },
  { name: 'topic', value: 'T', help: `telemetry topic (default ${DEFAULT_TOPIC}); {name} is the row's\n"name" column; {line} is "${DEFAULT_LINE}" when there is no line column` },
  { name: 'rate', value: 'N', help: 'messages per second (default: as fast as --inflight allows)' },
  { name: 'qos', value: '0|1', help: 'QoS of every message (default 1)' },
  { name: 'protocol', value: '4|5', help: 'MQTT 5 (default), or 4 for MQTT 3.1.1 brokers such as aedes' },
  { name: 'columns', value: 'a,b', help: 'the file has no header row: these are its column names' },
  { name: 'separator', value: 'S', help: 'comma, semicolon, tab or whitespace (default: guessed)' },
  { name: 'ts-column', value: 'C', help: 'column with the reading time (default ts); none: the publish time' },
  { name: 'ts-unit', value: 'U', help: 'auto (epoch ms, epoch s or ISO 8601 with zone; the default), s or ms' },
  { name: 'ts-origin', value: 'T', help: 'with --ts-unit s|ms: what ts 0 stands for (epoch ms, ISO 8601, now,\nnow-1d); relative times such as C-MAPSS cycles become times after it' },
  { name: 'asset', value: 'NAME', help: 'the asset when the file has no asset column' },
  { name: 'line', value: 'NAME', help: `the line when the file has no line column (default ${DEFAULT_LINE})` },
  { name: 'skip', value: 'a,b', help: 'columns to leave out of the payload' },
  { name: 'fault-at-end', help: `after each asset's last row, publish {"ts": its ts} on the fault topic` },
  { name: 'fault-topic', value: 'T', help: `fault topic (default ${DEFAULT_FAULT_TOPIC})` },
  { name: 'inflight', value: 'N', help: 'most messages awaiting the broker at once (default 100)' },
  { name: 'username', value: 'U', help: `broker user; password from $${PASSWORD_ENV} or --password-file` },
  { name: 'password-file', value: 'F', help: 'file whose first line is the broker password' },
  { name: 'ca', value: 'F', help: 'for mqtts://: PEM file of the CA to trust' },
  { name: 'cert', value: 'F', help: 'for mqtts://: PEM client certificate' },
  { name: 'key', value: 'F', help: 'for mqtts://: PEM private key of the client certificate' },
  { name: 'json', help: 'print the summary as one JSON object' },
  {
    name: 'config',
    short: 'c',
    value: 'FILE',
    help: "the target agent's config: before publishing, rows older than its storage.retention or\nfurther ahead than its ingest.max_future draw a warning (default: as for every command,\n$FAULTLINE_CONFIG, else /etc/faultline/faultline.yaml, else ./config/faultline.yaml;\nwhen none of these exists, the times are not checked)",
  },
];

export const replayCommand: Command = {
  name: 'replay',
  summary: 'publish a CSV as telemetry, one message per row (commissioning, benchmarks)',
  usage: 'faultline replay FILE.csv --url URL [--topic T] [--rate N]',
  notes:
    'Each row becomes {"ts":...,"<column>":<number>,...} on the topic. Rows with the wrong number of fields\n' +
    'or a value that is not a number are reported with their line number and skipped.\n' +
    'Exit status: 0 done (even with rejected rows), 64 usage error, 78 the --config given is wrong, 1 broker\n' +
    'unreachable or lost, or no row could be published, 130 interrupted.',
  options: OPTIONS,
  arguments: {
    max: 1,
    help: [
      {
        name: 'FILE',
        help: 'CSV with a header row naming the fields: ts, asset and line are recognised,\nevery other column is a sensor value; separated by , ; tab or spaces (guessed)',
      },
    ],
  },
  run: async (ctx) => {
    const usage = (message: string): number => {
      ctx.err(`faultline replay: ${message}\nRun "faultline replay --help" for the options.\n`);
      return EXIT.usage;
    };
    const args = parseReplayArgs(ctx.values, ctx.positionals, ctx.env, Date.now());
    if ('usage' in args) return usage(args.usage);
    const problem = await unreadable(args.file);
    if (problem) return usage(problem);
    const planned = planReplay(args.settings, await firstNonBlankLine(args.file));
    if ('problem' in planned) return usage(`${args.file}: ${planned.problem}`);
    const target = targetLimits(ctx);
    if (target !== null) {
      const check = await checkTimes(planned.plan, fileLines(args.file), target, Date.now());
      for (const warning of timeWarnings(check, target)) ctx.err(`warning: ${warning}\n`);
    }

    const options = await publisherOptions(args.broker);
    if ('problem' in options) return usage(options.problem);
    let publisher: Publisher;
    try {
      publisher = await connectPublisher(options);
    } catch (error) {
      if (!(error instanceof BrokerConnectError)) throw error;
      ctx.err(`faultline replay: cannot connect to ${args.broker.url}: ${connectAdvice(error)}\n`);
      return EXIT.failed;
    }
    let stop = false;
    const onShutdown = (): void => void (stop = true);
    ctx.signals.on('shutdown', onShutdown);
    try {
      const summary = await replay(planned.plan, {
        lines: () => fileLines(args.file),
        publisher,
        clock: systemClock,
        wallNow: Date.now,
        stopRequested: () => stop,
        onProgress: (p) => ctx.err(`replay: ${p.rows} rows, ${p.messages} messages in ${(p.elapsedMs / 1000).toFixed(0)} s (${Math.round(p.messages / (p.elapsedMs / 1000))}/s)\n`),
      });
      const context = { file: args.file, url: args.broker.url, qos: args.settings.qos };
      ctx.out(args.json ? summaryJson(summary, context) : formatSummary(summary, context));
      for (const warning of summaryWarnings(summary)) ctx.err(`warning: ${warning}\n`);
      if (summary.failure !== null) {
        ctx.err(`faultline replay: stopped after ${summary.acknowledged} acknowledged messages: ${summary.failure}\n`);
        return EXIT.failed;
      }
      if (summary.interrupted) return EXIT_INTERRUPTED;
      return summary.rows > 0 && summary.published === 0 ? EXIT.failed : EXIT.ok;
    } finally {
      ctx.signals.off('shutdown', onShutdown);
      await publisher.end();
    }
  },
};

async function publisherOptions(broker: BrokerArgs): Promise<PublisherOptions | { problem: string }> {
  const options: PublisherOptions = { url: broker.url, protocolVersion: broker.protocolVersion, maxInflight: broker.maxInflight, clientId: `faultline-replay-${Date.now().toString(36)}` };
  if (broker.username !== undefined) options.username = broker.username;
  if (broker.password !== undefined) options.password = broker.password;
  const files: Array<['passwordFile' | 'ca' | 'cert' | 'key', string | undefined]> = [
    ['passwordFile', broker.passwordFile],
    ['ca', broker.ca],
    ['cert', broker.cert],
    ['key', broker.key],
  ];
  for (const [name, path] of files) {
    if (path === undefined) continue;
    let content: Buffer;
    try {
      content = await readFile(path);
    } catch (error) {
      return { problem: `cannot read ${path} (${name === 'passwordFile' ? '--password-file' : `--${name}`}): ${errorMessage(error)}` };
    }
    if (name === 'passwordFile') options.password = content.toString('utf8').split(/\r?\n/)[0] ?? '';
    else options[name] = content;
  }
  return options;
}

/** The connect error in the replay's own terms (its flags, not the agent's config keys). */
function connectAdvice(error: BrokerConnectError): string {
  if (error.code === 1 || error.code === 132) return 'the broker does not speak MQTT 5; pass --protocol 4';
  if (error.code === 4 || error.code === 134) return 'the broker refused the user name or password; check --username and the password';
  if (error.code === 5 || error.code === 135) return 'the broker says this client is not authorized; check its ACL and --username';
  return error.description;
}

/**
 * What the target agent accepts, from its config: --config, else where every command looks. Only the
 * YAML is validated (the files it names are the agent's business). A wrong --config is exit 78; a
 * config found by default that cannot be used skips the check with a note; none at all skips it.
 */
function targetLimits(ctx: CommandContext): Acceptance | null {
  const explicit = typeof ctx.values.config === 'string' ? ctx.values.config : undefined;
  const file = resolveConfigPath(explicit, ctx.env, existsSync);
  if (explicit === undefined && !existsSync(file)) return null;
  try {
    const { config, problems } = validateConfig(readConfigText(file), file, ctx.env);
    if (config === null || problems.length > 0) throw new ConfigError(problems);
    return { retentionMs: config.storage.retention, maxFutureMs: config.ingest.max_future, source: `the target config ${file}` };
  } catch (error) {
    if (explicit !== undefined || !(error instanceof ConfigError)) throw error;
    ctx.err(`note: the config at ${file} cannot be used (faultline check-config --config ${file} says why); the file's times are not checked against storage.retention and ingest.max_future\n`);
    return null;
  }
}
