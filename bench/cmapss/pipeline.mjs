// C-MAPSS (FD001, FD002) through the whole agent, with the agent's own commands only: `faultline run` on
// bench/cmapss/faultline.yaml, `faultline replay` of the training engines (a fault at each one's
// last cycle), `faultline train`, `faultline replay` of the test engines, and the last prediction of
// each test engine taken from the prediction topic. Shared by run.mjs (all 100 engines) and the
// fast test in test/integration/cmapss/. Only score() reads the true remaining lives.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { mosquittoPath, startMosquitto } from '../lib/mosquitto.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
/** The full set beside the repository; FAULTLINE_CMAPSS_DIR points elsewhere. */
export const DATA = process.env.FAULTLINE_CMAPSS_DIR ?? here('../../../shared/data/cmapss/');
const MAIN = here('../../dist/main.js');
const CONFIG = here('./faultline.yaml');
export const RUL_CAP = 125;
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

/** Runs the whole pipeline; resolves with each test engine's last prediction. */
export async function runPipeline({ set = 'FD001', dataDir = DATA, trainUnits = null, testUnits = null, log = () => undefined } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cmapss-'));
  const broker = await startAnyBroker();
  const env = {
    ...process.env,
    FAULTLINE_MQTT__URL: broker.url,
    FAULTLINE_MQTT__PROTOCOL_VERSION: String(broker.protocol),
    FAULTLINE_STORAGE__PATH: join(dir, 'cmapss.db'),
  };
  const agent = spawn(process.execPath, [MAIN, 'run', '--config', CONFIG], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let agentLog = '';
  agent.stdout.on('data', (d) => (agentLog += d));
  const started = Date.now();
  const timings = {};
  const step = (name) => {
    timings[name] = (Date.now() - started) / 1000;
    log(`${timings[name].toFixed(1)} s  ${name}`);
  };
  try {
    await until(() => agentLog.includes('"msg":"subscribed"'), 30_000, 'the agent subscribes');
    const origin = Date.now() - 86_400_000; // cycle 0 = a day ago: inside retention, never in the future
    const trainRows = readEngines(`train_${set}.txt`, trainUnits, dataDir);
    const testRows = readEngines(`test_${set}.txt`, testUnits, dataDir);
    const trainFile = writeRows(dir, 'train.txt', trainRows);
    const testFile = writeRows(dir, 'test.txt', testRows);

    await cli(['replay', trainFile, '--url', broker.url, '--protocol', String(broker.protocol), '--columns', COLUMNS, '--ts-unit', 's', '--ts-origin', String(origin),
      '--line', 'cmapss', '--topic', 'plant/{line}/train-{asset}/telemetry', '--fault-at-end', '--fault-topic', 'plant/{line}/train-{asset}/fault', '--inflight', '500'], env);
    const trainEngines = new Set(trainRows.map((r) => r[0])).size;
    await until(async () => {
      const status = JSON.parse((await cli(['status', '--json', '--config', CONFIG], env)).stdout);
      return status.faults === trainEngines && status.readings === trainRows.length * 24;
    }, 120_000, 'the training engines are stored');
    step(`training set replayed: ${trainRows.length} messages, ${trainEngines} faults`);

    const trained = await cli(['train', '--config', CONFIG, '--json'], env);
    const card = JSON.parse(trained.stdout);
    step(`trained model ${card.version}: ${card.features.length} features, λ ${card.lambda.toFixed(2)}, held-out RMSE ${card.metrics.challenger.rmse.toFixed(2)} s`);
    await until(() => agentLog.includes('"msg":"serving model"'), 30_000, 'the agent serves the new model');

    const last = new Map();
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: broker.protocol });
    watcher.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString());
      last.set(body.asset, body);
    });
    await watcher.subscribeAsync('plant/cmapss/+/prediction', { qos: 1 });
    await cli(['replay', testFile, '--url', broker.url, '--protocol', String(broker.protocol), '--columns', COLUMNS, '--ts-unit', 's', '--ts-origin', String(origin),
      '--line', 'cmapss', '--topic', 'plant/{line}/test-{asset}/telemetry', '--inflight', '500'], env);
    const lastCycle = new Map();
    for (const r of testRows) lastCycle.set(r[0], Math.max(lastCycle.get(r[0]) ?? 0, r[1]));
    const done = () => [...lastCycle].every(([unit, cycle]) => last.get(`test-${unit}`)?.ts === origin + cycle * 1000);
    await until(done, 120_000, 'every test engine has a prediction at its last cycle');
    await watcher.endAsync();
    step(`test set replayed: ${testRows.length} messages, ${lastCycle.size} engines predicted`);
    const predictions = new Map([...lastCycle.keys()].map((unit) => [unit, last.get(`test-${unit}`).time_to_fault_s]));
    return { predictions, card, timings, broker: broker.kind };
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => (agent.exitCode === null ? agent.once('exit', resolve) : resolve()));
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scorer, and the only reader of RUL_FDxxx.txt: RMSE (truth capped and not), PHM08 score. */
export function score(predictions, dataDir = DATA, set = 'FD001') {
  const truth = readData(dataDir, `RUL_${set}.txt`).split('\n').filter((l) => l.trim() !== '').map(Number);
  let capped = 0;
  let uncapped = 0;
  let phm = 0;
  for (const [unit, predicted] of predictions) {
    const rul = truth[unit - 1];
    const d = predicted - Math.min(rul, RUL_CAP);
    capped += d * d;
    uncapped += (predicted - rul) ** 2;
    // PHM08: late predictions (d > 0) cost more than early ones.
    phm += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
  }
  const n = predictions.size;
  return { n, rmse: Math.sqrt(capped / n), rmseUncapped: Math.sqrt(uncapped / n), phm };
}

async function startAnyBroker() {
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

function cli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => (code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`faultline ${args[0]} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
