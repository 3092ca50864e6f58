// node bench/train/retrain-stand-ins.mjs — what in a retrain slows ingest: the same measurement as
// bench:retrain-ingest, with a stand-in process in the retrain's place for 12 s each time: one that
// only holds a read snapshot of the buffer, one at nice 19 spinning on arithmetic, and one at nice
// 19 allocating and dropping 1 MB arrays. Needs the build (npm run build) and Mosquitto.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, table } from '../lib/stats.mjs';
import { RATE, latenciesBetween, startLiveIngest, wallNow } from './live-ingest.mjs';

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

const load = await startLiveIngest({ samples: 1_000_000, name: 'stand-ins' });

const windows = [];
let idleFrom = wallNow() + 2000;
for (const [name, source] of Object.entries(STAND_INS)) {
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const from = wallNow();
  await new Promise((resolve) => spawn(process.execPath, ['-e', source(load.dbPath)], { stdio: 'inherit' }).on('exit', resolve));
  windows.push({ name, idle: [idleFrom, from], busy: [from, wallNow()] });
  idleFrom = wallNow() + 2000;
}
const report = await load.finish();

console.log(`\nIngest p99 with a stand-in for the retrain, ${RATE} msg/s, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  table(
    ['in the retrain\'s place', 'idle p99 ms', 'during p99 ms', 'ratio'],
    windows.map(({ name, idle, busy }) => {
      const [a, b] = [latenciesBetween(report, ...idle), latenciesBetween(report, ...busy)];
      return [name, fmt(a.p99, 1), fmt(b.p99, 1), fmt(b.p99 / a.p99, 2)];
    }),
  ),
);
