// The soak's publisher, a child process of run.mjs: the fleet's telemetry (and a fault event at each
// fault time) at QoS 1, paced at the rate run.mjs sets, at most WINDOW unacknowledged. It reconnects
// within a fraction of a second after a broker restart and catches up on what fell due meanwhile,
// as devices with store and forward do. It knows which messages the broker acknowledged: those are
// the ones the agent must not lose.
import mqtt from 'mqtt';
import { FaultSchedule, SENSORS_PER_MESSAGE, faultTopic, messageOf, telemetryTopic } from './fleet.mjs';

const [url, assets, t0] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const WINDOW = 500;
const TICK_MS = 10;
const RECONNECT_MS = 200;

const schedules = Array.from({ length: assets }, (_, a) => new FaultSchedule(a, t0));
let acked = new Uint8Array(1 << 20); // by message number: 1 once the broker acknowledged it
const counts = { sent: 0, acked: 0, uncertain: 0, faults: 0, faultsAcked: 0, reconnects: 0 };
let seq = 0;
let rate = 0; // messages per second; Infinity: as fast as the window allows
let ceiling = Infinity; // no message numbers from here on (run.mjs keeps it a little ahead of what the agent stored)
let allowance = 0;
let finishing = false;
/** Publishes awaiting their PUBACK on the current connection: message number, or -1 for a fault. */
let inflight = new Set();
let client = null;

/** One connection attempt; when it fails or the connection ends, another after RECONNECT_MS. */
function connect() {
  const c = mqtt.connect(url, { protocolVersion: 5, clean: true, reconnectPeriod: 0, clientId: `soak-publisher-${process.pid}` });
  c.on('error', () => undefined);
  c.once('close', () => {
    if (client === c) {
      client = null;
      // Sent but not acknowledged: the broker may or may not have it. Not counted as acknowledged.
      counts.uncertain += [...inflight].filter((t) => t.id >= 0).length;
      inflight = new Set();
    }
    c.end(true);
    if (!finishing) setTimeout(connect, RECONNECT_MS);
  });
  c.on('connect', () => {
    client = c;
    counts.reconnects++;
  });
}

function publish(topic, payload, id) {
  const c = client;
  const token = { id };
  inflight.add(token);
  c.publish(topic, payload, { qos: 1 }, (error) => {
    if (!inflight.delete(token)) return; // that connection is gone; already counted as uncertain
    if (error) {
      counts.uncertain += id >= 0 ? 1 : 0;
      return;
    }
    if (id < 0) {
      counts.faultsAcked++;
      return;
    }
    if (id >= acked.length) {
      const grown = new Uint8Array(acked.length * 2);
      grown.set(acked);
      acked = grown;
    }
    acked[id] = 1;
    counts.acked++;
  });
}

function tick() {
  if (finishing) return;
  allowance = Math.min(allowance + (rate * TICK_MS) / 1000, rate === Infinity ? Infinity : rate * 60);
  while (client && allowance >= 1 && inflight.size < WINDOW && seq < ceiling) {
    const { asset, ts } = messageOf(seq, assets, t0);
    const schedule = schedules[asset];
    for (const fault of schedule.advance(ts)) {
      publish(faultTopic(asset), `{"ts":${fault}}`, -1);
      counts.faults++;
    }
    publish(telemetryTopic(asset), schedule.payload(ts, asset), seq);
    seq++;
    counts.sent++;
    allowance--;
  }
}

process.on('message', (m) => {
  if (m.rate !== undefined) rate = m.rate === null ? Infinity : m.rate;
  if (m.ceiling !== undefined) ceiling = m.ceiling === null ? Infinity : m.ceiling;
  if (m.finish) void finish();
});

async function finish() {
  finishing = true;
  const deadline = Date.now() + 15_000;
  while (inflight.size > 0 && client && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  counts.uncertain += [...inflight].filter((t) => t.id >= 0).length;
  clearInterval(timer);
  clearInterval(reporter);
  await client?.endAsync();
  process.send({ final: true, ...counts, readingsPerMessage: SENSORS_PER_MESSAGE, acked: counts.acked, bitmap: Buffer.from(acked.subarray(0, seq)).toString('base64') }, () => process.exit(0));
}

// run.mjs gone (it failed or was interrupted): nothing to report to, stop.
process.on('disconnect', () => process.exit(0));
connect();
const timer = setInterval(tick, TICK_MS);
const reporter = setInterval(() => process.send({ ...counts, seq, connected: client !== null }), 1_000);
