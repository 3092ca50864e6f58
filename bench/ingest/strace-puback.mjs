// npm run bench:strace — runs the agent under strace and checks, syscall by syscall, that every
// PUBACK it writes to the broker leaves after an fsync of the SQLite WAL that followed the PUBLISH it
// acknowledges. Needs strace (apt-get install strace) and Mosquitto.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { startMosquitto } from '../lib/mosquitto.mjs';

const MESSAGES = 300;
const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'faultline-strace-'));
const traceFile = join(dir, 'trace.txt');

try {
  execFileSync('strace', ['-V'], { stdio: 'ignore' });
} catch {
  console.error('strace is not installed (sudo apt-get install -y strace)');
  process.exit(2);
}

const broker = await startMosquitto();
const port = new URL(broker.url).port;
const dbPath = join(dir, 'faultline.db');
writeFileSync(
  join(dir, 'faultline.yaml'),
  `agent: {id: strace}\nmqtt: {url: "${broker.url}"}\nstorage: {path: "${dbPath}", sync: full}\nhttp: {listen: "off"}\n`,
);
const agent = spawn(
  'strace',
  ['-f', '-tt', '-xx', '-s', '65536', '-o', traceFile, '-e', 'trace=openat,connect,read,recvfrom,write,writev,sendto,fsync,fdatasync', process.execPath, main, 'run', '--config', join(dir, 'faultline.yaml')],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let logs = '';
agent.stdout.on('data', (d) => (logs += d));
await until(() => logs.includes('"msg":"subscribed"'), 20_000, 'the agent subscribes');

const publisher = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
const now = Date.now();
// Bursts of different sizes, so that some batches hold one message and some many.
for (const burst of [1, 5, 50, 244]) {
  const sent = [];
  for (let i = 0; i < burst; i++) sent.push(publisher.publishAsync('plant/l1/press3/telemetry', JSON.stringify({ ts: now - 100_000 + Math.random() * 99_000, temperature: 70 }), { qos: 1 }));
  await Promise.all(sent);
}
await publisher.endAsync();
const db = new Database(dbPath, { readonly: true });
await until(() => db.prepare("SELECT value FROM counters WHERE name = 'readings'").get()?.value >= MESSAGES - 5, 20_000, 'the readings are stored');
db.close();
// Stop the traced node process; strace exits with it.
const tracee = execFileSync('pgrep', ['-P', String(agent.pid)], { encoding: 'utf8' }).trim().split('\n')[0];
process.kill(Number(tracee), 'SIGTERM');
await new Promise((resolve) => agent.once('exit', resolve));
await broker.stop();

const report = analyse(readFileSync(traceFile, 'utf8'), port);
console.log(report.text);
rmSync(dir, { recursive: true, force: true });
process.exit(report.ok ? 0 : 1);

function analyse(trace, brokerPort) {
  const lines = trace.split('\n');
  let socketFd = null;
  let walFd = null;
  const events = []; // { kind: 'in' | 'out' | 'fsync', bytes?, line }
  for (const line of lines) {
    const connect = new RegExp(`connect\\((\\d+), \\{sa_family=AF_INET, sin_port=htons\\(${brokerPort}\\)`).exec(line);
    if (connect) socketFd = Number(connect[1]);
    const open = /openat\(AT_FDCWD, (".*?"), .*\) = (\d+)$/.exec(line);
    if (open && hexBytes(open[1], Infinity).toString().endsWith('-wal')) walFd = Number(open[2]);
    const io = /\s(read|recvfrom|write|writev|sendto)\((\d+), (.*)\) = (\d+)$/.exec(line);
    if (io && Number(io[2]) === socketFd && Number(io[4]) > 0) {
      const kind = io[1] === 'read' || io[1] === 'recvfrom' ? 'in' : 'out';
      events.push({ kind, bytes: hexBytes(io[3], Number(io[4])), line });
    }
    const sync = /\s(fsync|fdatasync)\((\d+)\)\s+= 0$/.exec(line);
    if (sync && Number(sync[2]) === walFd) events.push({ kind: 'fsync', line });
  }
  // Reassemble each direction's byte stream into MQTT packets, remembering the event they completed in.
  const incoming = packets(events, 'in');
  const outgoing = packets(events, 'out');
  const publishAt = new Map(); // packet id -> event index of the latest PUBLISH with that id
  const checks = [];
  const fsyncIndexes = events.flatMap((e, i) => (e.kind === 'fsync' ? [i] : []));
  const timeline = [...incoming.map((p) => ({ ...p, dir: 'in' })), ...outgoing.map((p) => ({ ...p, dir: 'out' }))].sort((a, b) => a.at - b.at);
  for (const p of timeline) {
    if (p.dir === 'in' && p.type === 3 && p.qos === 1) publishAt.set(p.id, p.at);
    if (p.dir === 'out' && p.type === 4) {
      const published = publishAt.get(p.id);
      const synced = fsyncIndexes.some((f) => f > published && f < p.at);
      checks.push({ id: p.id, published, acked: p.at, synced });
    }
  }
  const bad = checks.filter((c) => c.published === undefined || !c.synced);
  const ackEvents = new Set(checks.map((c) => c.acked));
  const text = [
    `strace: ${events.length} socket/fsync events, broker socket fd ${socketFd}, WAL fd ${walFd}`,
    `PUBLISH (QoS 1) read: ${incoming.filter((p) => p.type === 3 && p.qos === 1).length}, PUBACK written: ${checks.length} in ${ackEvents.size} socket writes, WAL fsyncs: ${fsyncIndexes.length}`,
    bad.length === 0
      ? `OK: every PUBACK left after an fsync of the WAL that followed its PUBLISH`
      : `FAIL: ${bad.length} PUBACKs without a WAL fsync between PUBLISH and PUBACK (ids ${bad.slice(0, 10).map((c) => c.id)})`,
    '',
    'First acknowledged batch, as strace saw it (bytes shortened):',
    ...excerpt(events, checks[0]),
  ].join('\n');
  return { ok: bad.length === 0 && checks.length > 0, text };
}

function hexBytes(arg, length) {
  const strings = [...arg.matchAll(/"((?:\\x[0-9a-f]{2})*)"/g)].map((m) => m[1]).join('');
  return Buffer.from(strings.replace(/\\x/g, ''), 'hex').subarray(0, length);
}

function packets(events, kind) {
  const out = [];
  let buffer = Buffer.alloc(0);
  events.forEach((event, at) => {
    if (event.kind !== kind) return;
    buffer = Buffer.concat([buffer, event.bytes]);
    for (;;) {
      if (buffer.length < 2) break;
      let length = 0;
      let multiplier = 1;
      let offset = 1;
      let byte;
      do {
        if (offset >= buffer.length) return;
        byte = buffer[offset++];
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
      } while (byte & 0x80);
      if (buffer.length < offset + length) break;
      const type = buffer[0] >> 4;
      const qos = (buffer[0] >> 1) & 3;
      let id;
      if (type === 3 && qos > 0) {
        const topicLength = buffer.readUInt16BE(offset);
        id = buffer.readUInt16BE(offset + 2 + topicLength);
      } else if (type === 4) {
        id = buffer.readUInt16BE(offset);
      }
      out.push({ type, qos, id, at });
      buffer = buffer.subarray(offset + length);
    }
  });
  return out;
}

function excerpt(events, check) {
  if (!check) return ['(no PUBACK seen)'];
  return events
    .slice(Math.max(0, check.published - 1), check.acked + 1)
    .map((e) => e.line.replace(/"(\\x[0-9a-f]{2}){24,}[^"]*"/g, (s) => `${s.slice(0, 97)}..."`));
}

async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
