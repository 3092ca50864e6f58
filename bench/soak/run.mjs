// npm run bench:soak — `faultline run` (the built agent, with the systemd unit's Node.js flags) for
// BENCH_SOAK_MINUTES (default 20) at half its measured capacity: a fleet of BENCH_SOAK_ASSETS (300)
// assets sending a reading of three sensors per minute of event time, a small storage.max_size, a
// retrain every two minutes, a Mosquitto restart every five. Prints RSS, heap, buffer and WAL size,
// descriptors and event-loop delay over time, fits a slope to RSS after the warm-up, and checks
// that every message the broker acknowledged was stored. See bench/README.md, "Soak".
import { execFileSync, fork, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startMosquitto } from '../lib/mosquitto.mjs';
import { AGENT_ENV, AGENT_NODE_FLAGS, UNIT_ENV } from '../lib/node-flags.mjs';
import { fmt, table } from '../lib/stats.mjs';
import { EVENT_STEP_MS, SENSORS_PER_MESSAGE } from './fleet.mjs';
import { sample, slope } from './sample.mjs';
import { verify } from './verify.mjs';

const env = (name, fallback) => (process.env[name] === undefined || process.env[name] === '' ? fallback : process.env[name]);
const MINUTES = Number(env('BENCH_SOAK_MINUTES', 20));
const ASSETS = Number(env('BENCH_SOAK_ASSETS', 300));
const FIXED_RATE = env('BENCH_SOAK_RATE', null);
const RESTART_MINUTES = Number(env('BENCH_SOAK_RESTART_MINUTES', 5));
/** How long the broker stays down at each restart: the publishers' backlog, then a redelivery burst. */
const DOWNTIME_SECONDS = Number(env('BENCH_SOAK_DOWNTIME_SECONDS', 5));
const RETRAIN = env('BENCH_SOAK_RETRAIN', '*/2 * * * *');
const MAX_SIZE = env('BENCH_SOAK_MAX_SIZE', '150MB');
const WARMUP_MINUTES = Number(env('BENCH_SOAK_WARMUP_MINUTES', MINUTES * 0.3));
const SEED_HOURS = Number(env('BENCH_SOAK_SEED_HOURS', 12));
const SAMPLE_SECONDS = Number(env('BENCH_SOAK_SAMPLE_SECONDS', 5));
const CALIBRATE_SECONDS = 30;
const CALIBRATE_AHEAD = 5_000;
const PRINT_EVERY_S = Math.max(SAMPLE_SECONDS, Number(env('BENCH_SOAK_PRINT_SECONDS', 30)));
const WAL_LIMIT_MB = 64; // src/store/db.ts WAL_LIMIT_BYTES
const MESSAGES_PER_PREDICTION = 4; // predictions.scalars: true

// BENCH_SOAK_AGENT: another build's dist/main.js, to compare (the bench itself stays this one).
const main = env('BENCH_SOAK_AGENT', fileURLToPath(new URL('../../dist/main.js', import.meta.url)));
if (!existsSync(main)) throw new Error('build first: npm run build');
const started = Date.now();
const say = (text) => console.log(`${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s  ${text}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const dir = mkdtempSync(join(tmpdir(), 'faultline-soak-'));
const dbPath = join(dir, 'faultline.db');
const broker = await startMosquitto('persistence true\npersistence_location {dir}/\n');
const httpPort = await freePort();
const metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
const configPath = join(dir, 'faultline.yaml');
writeFileSync(
  configPath,
  [
    'agent: { id: soak }',
    `mqtt: { url: "${broker.url}" }`,
    'telemetry: [{ topic: "plant/+line/+asset/telemetry" }]',
    'faults: [{ topic: "plant/+line/+asset/fault" }]',
    `storage: { path: "${dbPath}", max_size: ${MAX_SIZE} }`,
    `schedule: { retrain: "${RETRAIN}" }`,
    `http: { listen: "127.0.0.1:${httpPort}" }`,
    'log: { level: info }',
  ].join('\n'),
);

const logFile = join(dir, 'agent.log');
const logStream = createWriteStream(logFile);
const problems = new Map(); // warn/error message -> count
const firstErrors = new Map(); // error message -> its first line, printed at the end (the log is deleted)
const agent = spawn(process.execPath, [...AGENT_NODE_FLAGS, main, 'run', '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: AGENT_ENV });
let partial = '';
agent.stdout.on('data', (chunk) => {
  logStream.write(chunk);
  const lines = (partial + chunk).split('\n');
  partial = lines.pop();
  for (const line of lines) {
    if (!line.includes('"level":"warn"') && !line.includes('"level":"error"') && !line.includes('"level":"fatal"')) continue;
    const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80);
    problems.set(msg, (problems.get(msg) ?? 0) + 1);
    if (!line.includes('"level":"warn"') && !firstErrors.has(msg)) firstErrors.set(msg, line.slice(0, 2000));
  }
});
agent.stderr.on('data', (chunk) => logStream.write(chunk));
const agentExit = new Promise((resolve) => agent.once('exit', (code, signal) => resolve({ code, signal })));
const unitEnv = Object.entries(UNIT_ENV).map(([name, value]) => `${name}=${value}`).join(' ') || '(none)';
say(`agent pid ${agent.pid}, node flags: ${AGENT_NODE_FLAGS.join(' ') || '(none)'}, environment: ${unitEnv}; buffer ${dbPath}; log ${logFile}`);

let publisher = null;
const cleanup = async () => {
  publisher?.kill();
  if (agent.exitCode === null && agent.signalCode === null) agent.kill('SIGKILL');
  await broker.stop().catch(() => undefined);
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
let final = null;
let rate;
let exit;
let check;
let last;
const samples = [];
const restarts = [];
const printed = [];
try {
  const metricsNow = async () => sample(agent.pid, metricsUrl, dbPath, started);
  async function waitFor(what, ms, test) {
    const deadline = Date.now() + ms;
    for (;;) {
      const s = await metricsNow();
      if (test(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(500);
    }
  }
  await waitFor('the agent to connect', 30_000, (s) => s.connected === 1);

  // Event time: far enough back that the whole run stays inside storage.retention (30d) and behind now.
  const t0 = Date.now() - 29 * 86_400_000;
  publisher = fork(fileURLToPath(new URL('./publisher.mjs', import.meta.url)), [broker.url, String(ASSETS), String(t0)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let published = { sent: 0, acked: 0, uncertain: 0, seq: 0 };
  publisher.on('message', (m) => (m.final ? (final = m) : (published = m)));
  const setRate = (rate) => publisher.send({ rate });
  /** Waits until the agent has stored every message the broker acknowledged so far. */
  const drained = (what) => waitFor(what, 180_000, (s) => s.stored >= published.acked * SENSORS_PER_MESSAGE);

  // 1. Seed: some hours of history at full speed, so that a first model can be trained.
  const seedMessages = ASSETS * SEED_HOURS * 60;
  setRate(null);
  while (published.seq < seedMessages) await sleep(200);
  setRate(0);
  await drained('the seed history to be stored');
  say(`seeded ${published.acked} messages (${SEED_HOURS} h of event time for ${ASSETS} assets)`);
  let trainCode = 0;
  try {
    execFileSync(process.execPath, [main, 'train', '--config', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    trainCode = error.status;
  }
  say(`faultline train: exit ${trainCode}${trainCode === 0 ? ' (a champion serves predictions from now on)' : ''}`);
  await sleep(3_000);

  // 2. Capacity: the rate at which the agent stores messages and publishes their predictions, with
  // the publisher as fast as that: never more than CALIBRATE_AHEAD messages ahead of it, so that
  // what is measured is the agent at full work rather than a backlog (that is the restarts' part).
  const keepAhead = async () => {
    const s = await metricsNow();
    // Done = stored and its prediction published: the slower of the two paces the publisher.
    const done = Math.min(s.stored / SENSORS_PER_MESSAGE, seedDone + (s.predictions - seedPredictions) / MESSAGES_PER_PREDICTION);
    if (Number.isFinite(done)) publisher.send({ ceiling: Math.floor(done) + CALIBRATE_AHEAD });
    return s;
  };
  const seedState = await metricsNow();
  const seedDone = seedState.stored / SENSORS_PER_MESSAGE;
  const seedPredictions = seedState.predictions;
  await keepAhead();
  setRate(null);
  const calibrationEnds = Date.now() + CALIBRATE_SECONDS * 1000;
  let before = null;
  while (Date.now() < calibrationEnds) {
    const s = await keepAhead();
    // The first third settles the pace; the rest is measured.
    if (before === null && Date.now() > calibrationEnds - (CALIBRATE_SECONDS * 2000) / 3) before = s;
    await sleep(500);
  }
  const after = await metricsNow();
  setRate(0);
  publisher.send({ ceiling: null });
  // Each message is due a prediction (a reading per minute of event time, predictions.min_interval
  // 1s), which goes out as four messages (the JSON and three scalars). Capacity is the rate at which
  // the agent does all of it: predictions that wait in the outbox or are dropped do not count.
  const seconds = (after.minute - before.minute) * 60;
  const storedRate = (after.stored - before.stored) / SENSORS_PER_MESSAGE / seconds;
  const predictedRate = (after.predictions - before.predictions) / MESSAGES_PER_PREDICTION / seconds;
  const capacity = Math.min(storedRate, predictedRate);
  await drained('the calibration burst to be stored');
  rate = FIXED_RATE === null ? Math.round(capacity / 2) : Number(FIXED_RATE);
  say(`capacity ${fmt(capacity, 0)} msg/s (stored ${fmt(storedRate, 0)} msg/s, ${fmt(storedRate * SENSORS_PER_MESSAGE, 0)} readings/s; predictions published for ${fmt(predictedRate, 0)} msg/s); soak at ${rate} msg/s`);
  const eventLeft = Date.now() - 3_600_000 - (t0 + Math.ceil(published.seq / ASSETS) * EVENT_STEP_MS);
  const eventNeeded = (rate * MINUTES * 60 * EVENT_STEP_MS) / ASSETS;
  if (eventNeeded > eventLeft) throw new Error(`at ${rate} msg/s the fleet's event time would pass now; raise BENCH_SOAK_ASSETS or lower BENCH_SOAK_RATE`);

  // 3. The soak.
  const soakStart = Date.now();
  setRate(rate);
  let nextRestart = soakStart + RESTART_MINUTES * 60_000;
  let nextPrint = soakStart;
  while (Date.now() - soakStart < MINUTES * 60_000) {
    const s = await metricsNow();
    s.minute = (Date.now() - soakStart) / 60_000;
    samples.push(s);
    if (Date.now() >= nextPrint) {
      printed.push(s);
      nextPrint += PRINT_EVERY_S * 1000;
    }
    if (Date.now() >= nextRestart) {
      const t = Date.now();
      await broker.restart(DOWNTIME_SECONDS * 1000);
      restarts.push({ minute: (t - soakStart) / 60_000, ms: Date.now() - t });
      say(`broker restarted (${Date.now() - t} ms)`);
      nextRestart += RESTART_MINUTES * 60_000;
    }
    await sleep(SAMPLE_SECONDS * 1000);
  }
  setRate(0);
  publisher.send({ finish: true });
  while (final === null) await sleep(100);
  last = await drained('the agent to store the rest');
  say(`publisher: ${final.sent} sent, ${final.acked} acknowledged, ${final.uncertain} in flight at a broker restart (fate unknown), ${final.faults} faults`);
  agent.kill('SIGTERM');
  exit = await agentExit;
  check = verify(dbPath, Buffer.from(final.bitmap, 'base64'), ASSETS, t0);
  await broker.stop();
} catch (error) {
  await cleanup();
  throw error;
}

// 4. Report.
const previous = (s) => samples[samples.indexOf(s) - 1] ?? s;
/** The per-second rate of counter `key` (divided by `per`) since the sample before `s`. */
const perS = (s, key, per) => {
  const p = previous(s);
  const dt = (s.minute - p.minute) * 60;
  return dt > 0 ? (s[key] - p[key]) / per / dt : NaN;
};
console.log(`\nSoak: ${MINUTES} min at ${rate} msg/s (${ASSETS} assets, ${SENSORS_PER_MESSAGE} readings a message), storage.max_size ${MAX_SIZE}, retrain "${RETRAIN}", broker restart every ${RESTART_MINUTES} min (down ${DOWNTIME_SECONDS} s), node flags: ${AGENT_NODE_FLAGS.join(' ') || '(none)'}, environment: ${unitEnv}\n`);
console.log(
  table(
    ['min', 'RSS MB', 'heap used MB', 'heap total MB', 'external MB', 'DB used MB', 'DB file MB', 'WAL MB', 'fds', 'loop p99 ms', 'loop max ms', 'stored msg/s', 'predictions/s', 'outbox', 'outbox dropped', 'trainings'],
    printed.map((s) => [fmt(s.minute, 1), fmt(s.rssMb, 0), fmt(s.heapUsedMb, 0), fmt(s.heapTotalMb, 0), fmt(s.externalMb, 0), fmt(s.usedMb, 0), fmt(s.dbMb, 0), fmt(s.walMb, 0), s.fds, fmt(s.loopP99Ms, 0), fmt(s.loopMaxMs, 0), fmt(perS(s, 'stored', SENSORS_PER_MESSAGE), 0), fmt(perS(s, 'predictions', MESSAGES_PER_PREDICTION), 0), s.outbox, s.outboxDropped, s.trainings]),
  ),
);
const settled = samples.filter((s) => s.minute >= WARMUP_MINUTES);
const rssSlope = slope(settled.map((s) => ({ x: s.minute, y: s.rssMb })));
const heapSlope = slope(settled.map((s) => ({ x: s.minute, y: s.heapUsedMb })));
const max = (key) => Math.max(...samples.map((s) => s[key]));
const min = (key) => Math.min(...samples.map((s) => s[key]));
const storedAll = last.stored;
const results = [
  ['RSS slope after warm-up', `${fmt(rssSlope.slope * 10, 2)} MB per 10 min (${rssSlope.n} samples from minute ${fmt(WARMUP_MINUTES, 1)}; heap used ${fmt(heapSlope.slope * 10, 2)} MB per 10 min)`],
  ['RSS', `${fmt(samples[0]?.rssMb, 0)} MB at the start, peak ${fmt(max('rssMb'), 0)} MB (VmHWM ${fmt(max('hwmMb'), 0)} MB over the whole run), ${fmt(samples.at(-1)?.rssMb, 0)} MB at the end`],
  ['buffer', `in use at most ${fmt(max('usedMb'), 0)} MB (storage.max_size ${MAX_SIZE}), file at most ${fmt(max('dbMb'), 0)} MB, WAL at most ${fmt(max('walMb'), 0)} MB (journal_size_limit ${WAL_LIMIT_MB} MB); ${samples.filter((s) => s.walMb > WAL_LIMIT_MB).length} of ${samples.length} samples with the WAL above it`],
  ['descriptors', `${min('fds')} to ${max('fds')}`],
  ['event-loop delay', `p99 at most ${fmt(max('loopP99Ms'), 0)} ms, max ${fmt(max('loopMaxMs'), 0)} ms`],
  ['broker restarts', restarts.map((r) => `min ${fmt(r.minute, 1)} (${r.ms} ms)`).join(', ') || 'none'],
  ['retrains', `${fmt(last.trainings - (samples[0]?.trainings ?? 0), 0)} during the soak`],
  ['acknowledged', `${final.acked} messages acknowledged by the broker, ${storedAll / SENSORS_PER_MESSAGE} stored (counter, duplicates excluded), ${last.rejected || 0} rejected`],
  ['in the buffer', `${check.present} present, ${check.pruned} pruned by retention (older than the oldest kept), ${check.missing} missing${check.firstMissing ? ` (first: ${JSON.stringify(check.firstMissing)})` : ''}`],
  ['agent exit', `${exit.code ?? exit.signal} on SIGTERM`],
  ['agent warnings/errors', [...problems].map(([m, n]) => `${m} ×${n}`).join('; ') || 'none'],
];
console.log(`\n${table(['', ''], results)}\n`);
for (const line of firstErrors.values()) console.log(`agent error: ${line}`);
const lost = check.missing > 0 || storedAll < final.acked * SENSORS_PER_MESSAGE;
console.log(lost ? 'FAIL: acknowledged messages are missing' : 'OK: nothing acknowledged was lost');
if (!process.env.BENCH_SOAK_KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
process.exit(lost || exit.code !== 0 ? 1 : 0);
