// C-MAPSS (FD001, FD002) through the whole agent, with the agent's own commands only: `faultline run` on
// bench/cmapss/faultline.yaml, `faultline replay` of the training engines (a fault at each one's
// last cycle), `faultline train`, `faultline replay` of the test engines, and the last prediction of
// each test engine taken from the prediction topic. Shared by run.mjs (all 100 engines), fleet.mjs
// (its steps, one agent at a time) and the fast test in test/integration/cmapss/. Only score() reads
// the true remaining lives.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { mosquittoPath, startMosquitto } from '../lib/mosquitto.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
/** The full set beside the repository; FAULTLINE_CMAPSS_DIR points elsewhere. */
export const DATA = process.env.FAULTLINE_CMAPSS_DIR ?? here('../../../shared/data/cmapss/');
const MAIN = here('../../dist/main.js');
export const CONFIG = here('./faultline.yaml');
export const RUL_CAP = 125;
/** The moment of every engine's cycle 0, one cycle a second: a day ago, inside retention, never in the future. */
export const cycleZero = () => Date.now() - 86_400_000;
const COLUMNS = ['asset', 'ts', 'setting1', 'setting2', 'setting3', ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)].join(',');

/** A data file, plain or gzipped (`name.gz`), from `dir`. */
function readData(dir, name) {
  const plain = join(dir, name);
  if (existsSync(plain)) return readFileSync(plain, 'utf8');
  return gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8');
}

/** Rows of a C-MAPSS file (unit, cycle, 3 settings, 21 sensors), optionally only some units. */
export function readEngines(file, units = null, dir = DATA) {
  const rows = readData(dir, file)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.trim().split(/\s+/).map(Number));
  return units ? rows.filter((r) => units.includes(r[0])) : rows;
}

/** Runs the whole pipeline with one agent; resolves with each test engine's last prediction. */
export async function runPipeline({ set = 'FD001', dataDir = DATA, trainUnits = null, testUnits = null, log = () => undefined } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cmapss-'));
  const broker = await startAnyBroker();
  let agent = null;
  const step = stepper(log);
  try {
    agent = await startAgent({ broker, dir, name: 'cmapss' });
    const origin = cycleZero();
    const trainRows = readEngines(`train_${set}.txt`, trainUnits, dataDir);
    const testRows = readEngines(`test_${set}.txt`, testUnits, dataDir);
    const engines = await replayTraining(agent, trainRows, origin);
    step(`training set replayed: ${trainRows.length} messages, ${engines} faults`);

    const trained = await cli(['train', '--config', CONFIG, '--json'], agent.env);
    const card = JSON.parse(trained.stdout);
    step(`trained model ${card.version}: ${card.features.length} features, λ ${card.lambda.toFixed(2)}, held-out RMSE ${card.metrics.challenger.rmse.toFixed(2)} s`);
    await agent.serving(card.version);

    const predictions = await predictTest(agent, testRows, origin);
    step(`test set replayed: ${testRows.length} messages, ${predictions.size} engines predicted`);
    return { predictions, card, trainEngines: engines, timings: step.timings, broker: broker.kind };
  } finally {
    await agent?.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** log(name) with the seconds since it was made; .timings keeps them by name. */
export function stepper(log) {
  const started = Date.now();
  const step = (name) => {
    step.timings[name] = (Date.now() - started) / 1000;
    log(`${step.timings[name].toFixed(1)} s  ${name}`);
  };
  step.timings = {};
  return step;
}

/**
 * `faultline run` on the bench config with its own buffer `<dir>/<name>.db`, its topics under `root`
 * (`<root>/<line>/<asset>/telemetry`, `…/fault`, `…/prediction`) and `extra` FAULTLINE_* keys;
 * resolves once it has subscribed. logs() are its JSON log lines so far.
 */
export async function startAgent({ broker, dir, name, root = 'plant', extra = {} }) {
  const env = {
    ...process.env,
    FAULTLINE_MQTT__URL: broker.url,
    FAULTLINE_MQTT__PROTOCOL_VERSION: String(broker.protocol),
    FAULTLINE_STORAGE__PATH: join(dir, `${name}.db`),
    FAULTLINE_TELEMETRY__0__TOPIC: `${root}/+line/+asset/telemetry`,
    FAULTLINE_FAULTS__0__TOPIC: `${root}/+line/+asset/fault`,
    FAULTLINE_PREDICTIONS__TOPIC: `${root}/{line}/{asset}/prediction`,
    ...extra,
  };
  const child = spawn(process.execPath, [MAIN, 'run', '--config', CONFIG], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  let partial = '';
  child.stdout.on('data', (d) => {
    const parts = (partial + d).split('\n');
    partial = parts.pop();
    for (const line of parts) lines.push(parseLogLine(line));
  });
  const agent = {
    name,
    root,
    env,
    broker,
    logs: () => lines,
    /** Resolves once the agent serves model `version`. */
    serving: (version) => until(() => lines.some((l) => l.msg === 'serving model' && l.version === version), 30_000, `${name} serves model ${version}`),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
    },
  };
  try {
    await until(() => lines.some((l) => l.msg === 'subscribed'), 30_000, `${name} subscribes`);
  } catch (error) {
    await agent.stop();
    throw error;
  }
  return agent;
}

function parseLogLine(line) {
  try {
    return JSON.parse(line);
  } catch {
    return { msg: line };
  }
}

/** Replays training engines to `agent`, a fault at each one's last cycle; resolves with the number of engines once all is stored. */
export async function replayTraining(agent, rows, origin) {
  const file = writeRows(dirname(agent.env.FAULTLINE_STORAGE__PATH), `train-${agent.name}.txt`, rows);
  await replay(agent, file, origin, 'train', ['--fault-at-end', '--fault-topic', `${agent.root}/{line}/train-{asset}/fault`]);
  const engines = new Set(rows.map((r) => r[0])).size;
  await until(async () => {
    const status = JSON.parse((await cli(['status', '--json', '--config', CONFIG], agent.env)).stdout);
    return status.faults === engines && status.readings === rows.length * 24;
  }, 120_000, `${agent.name} stores its training engines`);
  return engines;
}

/** Replays test engines to `agent`; resolves with each engine's prediction at its last cycle. */
export async function predictTest(agent, rows, origin) {
  const last = new Map();
  const { broker, root } = agent;
  const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: broker.protocol });
  try {
    watcher.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString());
      last.set(body.asset, body);
    });
    await watcher.subscribeAsync(`${root}/cmapss/+/prediction`, { qos: 1 });
    const file = writeRows(dirname(agent.env.FAULTLINE_STORAGE__PATH), `test-${agent.name}.txt`, rows);
    await replay(agent, file, origin, 'test', []);
    const lastCycle = new Map();
    for (const r of rows) lastCycle.set(r[0], Math.max(lastCycle.get(r[0]) ?? 0, r[1]));
    const done = () => [...lastCycle].every(([unit, cycle]) => last.get(`test-${unit}`)?.ts === origin + cycle * 1000);
    // FD002's burst drains from the outbox at outbox_rate: about 2 minutes.
    await until(done, 300_000, `every test engine has a prediction from ${agent.name} at its last cycle`);
    return new Map([...lastCycle.keys()].map((unit) => [unit, last.get(`test-${unit}`).time_to_fault_s]));
  } finally {
    await watcher.endAsync();
  }
}

/** `faultline replay` of a C-MAPSS file to `agent`'s topics, engine N as asset `<kind>-N`, one cycle a second from `origin`. */
function replay(agent, file, origin, kind, extra) {
  const { broker, root } = agent;
  return cli(['replay', file, '--url', broker.url, '--protocol', String(broker.protocol), '--columns', COLUMNS, '--ts-unit', 's', '--ts-origin', String(origin),
    '--line', 'cmapss', '--topic', `${root}/{line}/${kind}-{asset}/telemetry`, '--inflight', '500', ...extra], agent.env);
}

/** The scorer, and the only reader of RUL_FDxxx.txt: RMSE and R² (truth capped), RMSE uncapped, PHM08 score. */
export function score(predictions, dataDir = DATA, set = 'FD001') {
  const truth = readData(dataDir, `RUL_${set}.txt`).split('\n').filter((l) => l.trim() !== '').map(Number);
  const n = predictions.size;
  const mean = [...predictions.keys()].reduce((sum, unit) => sum + Math.min(truth[unit - 1], RUL_CAP), 0) / n;
  let capped = 0;
  let spread = 0;
  let uncapped = 0;
  let phm = 0;
  for (const [unit, predicted] of predictions) {
    const rul = truth[unit - 1];
    const d = predicted - Math.min(rul, RUL_CAP);
    capped += d * d;
    spread += (Math.min(rul, RUL_CAP) - mean) ** 2;
    uncapped += (predicted - rul) ** 2;
    // PHM08: late predictions (d > 0) cost more than early ones.
    phm += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
  }
  return { n, rmse: Math.sqrt(capped / n), r2: 1 - capped / spread, rmseUncapped: Math.sqrt(uncapped / n), phm };
}

export async function startAnyBroker() {
  if (mosquittoPath()) {
    const broker = await startMosquitto();
    return { kind: 'mosquitto', url: broker.url, protocol: 5, stop: broker.stop };
  }
  const { startBroker } = await import('../../dist/demo/broker.js');
  const broker = await startBroker();
  return { kind: 'embedded aedes', url: broker.url, protocol: 4, stop: broker.close };
}

function writeRows(dir, name, rows) {
  const file = join(dir, name);
  writeFileSync(file, rows.map((r) => r.join(' ')).join('\n') + '\n');
  return file;
}

export function cli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`faultline ${args[0]} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

export async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
