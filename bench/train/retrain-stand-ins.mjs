// node bench/train/retrain-stand-ins.mjs — what in a retrain slows ingest: the same measurement as
// bench:retrain-ingest, with a stand-in process in the retrain's place for 12 s each time: one that
// only holds a read snapshot of the buffer, one at nice 19 spinning on arithmetic, and one at nice
// 19 allocating and dropping 1 MB arrays. Needs the build (npm run build) and Mosquitto.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { startMosquitto } from '../lib/mosquitto.mjs';
import { AGENT_NODE_FLAGS } from '../lib/node-flags.mjs';
import { fmt, summarize, table } from '../lib/stats.mjs';
import { writeSyntheticBuffer } from './synthetic.mjs';

const RATE = 2_000;
const IDLE_MS = 8_000;
const HOLD_MS = 12_000;
const SQLITE = fileURLToPath(new URL('../../node_modules/better-sqlite3/lib/index.js', import.meta.url));

const STAND_INS = {
  'read snapshot only': (db) =>
    `const D = require(${JSON.stringify(SQLITE)}); const db = new D(${JSON.stringify(db)}, { readonly: true });
     db.exec('BEGIN'); db.prepare('SELECT count(*) FROM readings').get();
     setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${HOLD_MS});`,
  'nice 19, arithmetic': () =>
    `require('node:os').setPriority(19); let x = 0; const t = Date.now();
     while (Date.now() - t < ${HOLD_MS}) for (let i = 0; i < 1e6; i++) x += Math.sqrt(i);`,
  'nice 19, allocating 1 MB arrays': () =>
    `require('node:os').setPriority(19); const live = []; const t = Date.now();
     while (Date.now() - t < ${HOLD_MS}) { live.push(new Float64Array(1 << 17).fill(Math.random())); if (live.length > 350) live.shift(); }`,
};

const dir = mkdtempSync(join(tmpdir(), 'faultline-stand-ins-'));
const dbPath = join(dir, 'faultline.db');
writeSyntheticBuffer(dbPath, { assets: 20, minutes: Math.ceil(1_000_000 / 20 / 0.984) });
const broker = await startMosquitto();
const agent = fork(fileURLToPath(new URL('./agent-during-retrain.mjs', import.meta.url)), [broker.url, dbPath], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  execArgv: AGENT_NODE_FLAGS,
});
const message = (predicate) => new Promise((resolve) => agent.on('message', (m) => predicate(m) && resolve(m)));
await message((m) => m.ready);

const now = () => performance.timeOrigin + performance.now();
const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
let seq = 0;
const start = Date.now();
const timer = setInterval(() => {
  const due = Math.floor(((Date.now() - start) / 1000) * RATE) - seq;
  for (let i = 0; i < due; i++, seq++) {
    publisher.publish(`plant/line1/live${seq % 50}/telemetry`, JSON.stringify({ ts: start + seq, temperature: 70, sent: now() }), { qos: 1 });
  }
}, 5);

const windows = [];
let idleFrom = now() + 2000;
for (const [name, source] of Object.entries(STAND_INS)) {
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const from = now();
  await new Promise((resolve) => spawn(process.execPath, ['-e', source(dbPath)], { stdio: 'inherit' }).on('exit', resolve));
  windows.push({ name, idle: [idleFrom, from], busy: [from, now()] });
  idleFrom = now() + 2000;
}
clearInterval(timer);
const reported = message((m) => m.commits);
agent.send('report');
const report = await reported;
await publisher.endAsync();
await new Promise((resolve) => agent.once('exit', resolve));
await broker.stop();
rmSync(dir, { recursive: true, force: true });

const between = ([from, to]) => summarize(report.commits.filter(([t]) => t >= from && t < to).map(([, l]) => l));
console.log(`\nIngest p99 with a stand-in for the retrain, ${RATE} msg/s, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  table(
    ['in the retrain\'s place', 'idle p99 ms', 'during p99 ms', 'ratio'],
    windows.map(({ name, idle, busy }) => {
      const [a, b] = [between(idle), between(busy)];
      return [name, fmt(a.p99, 1), fmt(b.p99, 1), fmt(b.p99 / a.p99, 2)];
    }),
  ),
);
