// npm run bench:ingest — faultline storing every reading against a bare mqtt.js subscriber that only
// counts, same Mosquitto, same publisher, same message stream, in one run; at QoS 1 and QoS 0.
import { fmt, table } from '../lib/stats.mjs';
import { COUNT, trial } from './trial.mjs';

if (process.env.BENCH_ONLY) {
  const [contender, qos] = process.env.BENCH_ONLY.split(':');
  console.log(await trial(contender, Number(qos)));
  process.exit(0);
}

const results = [];
for (const qos of [1, 0]) {
  const bare = await trial('bare', qos);
  const agent = await trial('faultline', qos);
  results.push(bare, { ...agent, ratio: agent.messagesPerS / bare.messagesPerS });
  console.error(`qos ${qos}: bare ${fmt(bare.messagesPerS, 0)} msg/s, faultline ${fmt(agent.messagesPerS, 0)} msg/s`);
}
const normal = await trial('faultline', 1, { sync: 'normal' });
results.push({ ...normal, contender: 'faultline (sync: normal)', ratio: normal.messagesPerS / results[0].messagesPerS });

console.log(`\nIngest: ${COUNT} messages of 4 readings each, Mosquitto on loopback, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(
  table(
    ['QoS', 'consumer', 'msg/s', 'readings/s', 'ratio to bare', 'peak RSS MB', 'p50 ms', 'p99 ms'],
    results.map((r) => [
      r.qos,
      r.contender,
      fmt(r.messagesPerS, 0),
      r.contender === 'bare' ? '-' : fmt(r.readingsPerS, 0),
      r.ratio === undefined ? '1.00' : fmt(r.ratio, 2),
      fmt(r.rssMb, 0),
      fmt(r.p50, 0),
      fmt(r.p99, 0),
    ]),
  ),
);
console.log('\nLatency: bare = publish to receive; faultline = publish to commit (durable in SQLite).');
