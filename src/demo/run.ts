// The demo's run: starts the embedded broker, the simulated line and the agent, and draws the
// screen until a signal or the duration. Loaded only by `faultline demo` (aedes is not small).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent.js';
import { parseConfig } from '../config/load.js';
import { startBroker, type EmbeddedBroker } from './broker.js';
import { startLineFeed, type LineFeed } from './line-feed.js';
import { renderIntro, renderLine, renderScreen, TERMINAL, useColor, type DemoState } from './screen.js';
import { DEFAULT_ASSETS, DEMO_TIMING, LineSimulator } from './simulator.js';
import { LEVEL_NAMES } from '../predict/levels.js';
import type { AssetPrediction } from '../predict/predictor.js';
import type { StoredModel } from '../store/models.js';
import type { TrainResult } from '../train/trainer.js';
import { createLogger, fileDestination } from '../log.js';
import { connectPublisher, type Publisher } from '../mqtt/publishing-client.js';
import { EXIT } from '../exit-codes.js';
import { type CommandContext } from '../cli/command.js';

const TICKS_PER_SECOND = 5; // 5 × 2 min of event time per second: a machine's life in about 15 s
const REDRAW_MS = 250;

/** The agent's config for the demo: frequent retraining, windows sized to the simulated line. */
function demoConfig(url: string, dir: string): string {
  return `
agent: { id: demo }
mqtt: { url: "${url}", protocol_version: 4, reconnect_min: 200ms, reconnect_max: 2s }
telemetry: [{ topic: "plant/+line/+asset/telemetry" }]
faults: [{ topic: "plant/+line/+asset/fault" }]
# Event time runs 600x faster than the clock, so readings are soon "in the future" of the gateway.
ingest: { max_future: 365d }
storage: { path: "${join(dir, 'demo.db')}", sync: normal }
model: { horizon: 2h, window: 10m, min_samples: 200 }
schedule: { retrain: "*/10 * * * * *" }
predictions: { min_interval: 1s }
# The status page, on a free port of this machine only.
http: { listen: "127.0.0.1:0" }
log: { level: info }
`;
}

export async function runDemo(ctx: CommandContext, port: number, durationMs: number | null): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-demo-'));
  const logFile = join(dir, 'demo.log');
  const started = Date.now();
  let broker: EmbeddedBroker | null = null;
  let agent: Agent | null = null;
  let publisher: Publisher | null = null;
  let feed: LineFeed | null = null;
  try {
    broker = await startBroker({ port });
    const { config } = parseConfig(demoConfig(broker.url, dir), 'demo.yaml', {});
    agent = new Agent({ config, file: 'demo.yaml', warnings: [] }, createLogger('info', fileDestination(logFile)));
    const state: DemoState = {
      phase: 'collecting',
      brokerUrl: broker.url,
      port: broker.port,
      assets: DEFAULT_ASSETS.map((asset) => ({ asset })),
      faults: 0,
      readings: 0,
      predictions: 0,
      horizonS: config.model.horizon / 1000,
    };
    follow(agent, state);
    await agent.start();
    const pagePort = agent.httpPort();
    if (pagePort !== null) state.pageUrl = `http://127.0.0.1:${pagePort}/`;
    publisher = await connectPublisher({ url: broker.url, protocolVersion: 4, clientId: 'demo-line' });
    const simulator = new LineSimulator({ seed: 42, startTs: Date.now() - 29 * 86_400_000, ...DEMO_TIMING });
    feed = startLineFeed({
      simulator,
      publisher,
      ticksPerSecond: TICKS_PER_SECOND,
      onTick: (result, counts) => {
        state.readings = counts.messages * 3;
        state.faults = counts.faults;
        state.eventTs = result.readings[0]?.ts ?? state.eventTs;
      },
    });

    const tty = ctx.terminal.isTTY;
    const color = useColor(tty, ctx.env);
    const draw = (): void => {
      state.elapsedS = (Date.now() - started) / 1000;
      if (tty) ctx.out(renderScreen(state, { color, width: ctx.terminal.columns() }));
      else ctx.out(renderLine(state));
    };
    if (tty) ctx.out(TERMINAL.hideCursor + TERMINAL.clear);
    else ctx.out(renderIntro(state));
    const timer = setInterval(draw, tty ? REDRAW_MS : 1000);
    await stopSignal(ctx, durationMs);
    clearInterval(timer);
    state.phase = 'stopping';
    draw();
    if (tty) ctx.out(TERMINAL.showCursor);
    ctx.out(`\nfaultline demo: ${state.predictions} predictions published, ${state.faults} faults simulated, model ${state.model?.version ?? 'none'}; log: ${logFile}\n`);
    return EXIT.ok;
  } finally {
    await feed?.stop();
    await publisher?.end(500);
    await agent?.stop();
    await broker?.close();
    rmSync(join(dir, 'demo.db'), { force: true });
    rmSync(join(dir, 'demo.db-wal'), { force: true });
    rmSync(join(dir, 'demo.db-shm'), { force: true });
  }
}

/** Updates the screen's state from the agent's events. */
function follow(agent: Agent, state: DemoState): void {
  agent.on('training', () => {
    state.phase = 'training';
    state.trainingVersion = undefined;
  });
  agent.on('trained', (result: TrainResult) => {
    if (result.status === 'trained') state.trainingVersion = result.version;
    state.phase = state.model ? 'predicting' : 'collecting';
    if (result.status === 'not_enough_data') state.message = `not enough labelled history yet: it ${result.message}`;
    else if (result.status === 'failed') state.message = `training failed: ${result.message}`;
    else state.message = result.promoted ? undefined : `model ${result.version} was not better than model ${state.model?.version}; kept the champion`;
  });
  agent.on('model', (model: StoredModel) => {
    state.model = { version: model.version, rmse: model.params.rmse, trainedAt: model.trainedAt };
    state.phase = 'predicting';
    state.message = undefined;
  });
  agent.on('prediction', (p: AssetPrediction) => {
    state.predictions = (state.predictions ?? 0) + 1;
    const row = state.assets.find((a) => a.asset === p.asset);
    if (!row) return;
    row.risk = p.prediction.risk;
    row.level = LEVEL_NAMES[p.level];
    row.timeToFaultS = p.prediction.timeToFaultS;
    row.topFeature = p.prediction.contributions[0]?.feature;
    row.modelVersion = p.modelVersion;
    row.rmse = state.model?.rmse ?? null;
  });
}

function stopSignal(ctx: CommandContext, durationMs: number | null): Promise<void> {
  return new Promise((resolve) => {
    ctx.signals.once('shutdown', () => resolve());
    if (durationMs !== null) setTimeout(resolve, durationMs);
  });
}

