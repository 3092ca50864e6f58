// The agent, in a process of its own, on a pre-filled buffer: records every reading's
// publish-to-commit latency with its commit time, and when the retrain it is asked for starts and
// ends. Reports to ingest-during-retrain.mjs over IPC.
import { Agent } from '../../dist/agent.js';
import { parseConfig } from '../../dist/config/load.js';
import { createLogger } from '../../dist/log.js';

const [url, dbPath] = process.argv.slice(2);
const yaml = `
agent: { id: retrain-bench }
mqtt: { url: "${url}", protocol_version: 5 }
telemetry: [{ topic: "plant/+line/+asset/telemetry" }]
storage: { path: "${dbPath}", retention: 3650d, max_size: 8GB }
model: { horizon: 2h, window: 10m, features: [mean, std, min, max, slope], stride: 1m, min_samples: 200 }
schedule: { retrain: "0 0 1 1 *" }
http: { listen: "off" }
log: { level: warn }
`;
const { config } = parseConfig(yaml, 'bench.yaml', {});
const agent = new Agent({ config, file: 'bench.yaml', warnings: [] }, createLogger('warn'));
await agent.start();
const commits = []; // [commit time, latency]
const retrains = []; // { start, end, result } per retrain, in order
const wallNow = () => performance.timeOrigin + performance.now();
agent.on('committed', (batch) => {
  const now = wallNow(); // wall clock, sub-millisecond, like `sent`
  for (const r of batch.readings) if (r.sensor === 'sent') commits.push([now, now - r.value]);
});
agent.on('training', () => retrains.push({ start: wallNow() }));
agent.on('trained', (result) => {
  const run = retrains.at(-1);
  run.end = wallNow();
  run.result = result.status === 'trained' ? { version: result.version, samples: result.card.n_served, durationMs: result.durationMs, peakRssMb: result.peakRssMb } : result;
  process.send({ trained: true });
});
process.on('message', (m) => {
  if (m === 'retrain') void agent.retrain();
  if (m === 'report') process.send({ commits, retrains, maxRssKb: process.resourceUsage().maxRSS }, () => void agent.stop().then(() => process.exit(0)));
});
agent.once('subscribed', () => process.send({ ready: true }));
