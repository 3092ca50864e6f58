// node bench/train/retrain-stand-ins.mjs — what in a retrain slows ingest: the same measurement as
// bench:retrain-ingest, with a stand-in process in the retrain's place for 12 s each time: one that
// only holds a read snapshot of the buffer, and one spinning on arithmetic and one allocating and
// dropping 1 MB arrays, each at nice 19 and under SCHED_IDLE (the retrain's policy, through chrt).
// Needs the build (npm run build) and Mosquitto.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, table } from '../lib/stats.mjs';
import { RATE, latenciesBetween, startLiveIngest, wallNow } from './live-ingest.mjs';

const IDLE_MS = 8_000;
const HOLD_MS = 12_000;
const SQLITE = fileURLToPath(new URL('../../node_modules/better-sqlite3/lib/index.js', import.meta.url));

const NICE_19 = `require('node:os').setPriority(19);`;
const ARITHMETIC = `let x = 0; const t = Date.now();
  while (Date.now() - t < ${HOLD_MS}) for (let i = 0; i < 1e6; i++) x += Math.sqrt(i);`;
const ALLOCATING = `const live = []; const t = Date.now();
  while (Date.now() - t < ${HOLD_MS}) { live.push(new Float64Array(1 << 17).fill(Math.random())); if (live.length > 350) live.shift(); }`;

/** Name → the stand-in's source, and whether it runs under SCHED_IDLE. */
const STAND_INS = {
  'read snapshot only': {
    source: (db) =>
      `const D = require(${JSON.stringify(SQLITE)}); const db = new D(${JSON.stringify(db)}, { readonly: true });
       db.exec('BEGIN'); db.prepare('SELECT count(*) FROM readings').get();
       setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${HOLD_MS});`,
  },
  'nice 19, arithmetic': { source: () => NICE_19 + ARITHMETIC },
  'SCHED_IDLE, arithmetic': { source: () => ARITHMETIC, idle: true },
  'nice 19, allocating 1 MB arrays': { source: () => NICE_19 + ALLOCATING },
  'SCHED_IDLE, allocating 1 MB arrays': { source: () => ALLOCATING, idle: true },
};

function runStandIn({ source, idle }, dbPath) {
  const node = [process.execPath, '-e', source(dbPath)];
  const [command, ...args] = idle ? ['chrt', '--idle', '0', ...node] : node;
  return new Promise((resolve) => spawn(command, args, { stdio: 'inherit' }).on('exit', resolve));
}

const load = await startLiveIngest({ samples: 1_000_000, name: 'stand-ins' });

const windows = [];
let idleFrom = wallNow() + 2000;
for (const [name, standIn] of Object.entries(STAND_INS)) {
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const from = wallNow();
  await runStandIn(standIn, load.dbPath);
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
