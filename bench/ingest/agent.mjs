// faultline's agent, in a process of its own, storing every reading; reports rate, publish-to-commit
// latency and peak RSS to run.mjs. Uses the built agent (dist/), exactly as `faultline run` does.
// With "page", a model serves (predictions flow) and the status page listens on a free loopback port.
import { Agent } from '../../dist/agent.js';
import { parseConfig } from '../../dist/config/load.js';
import { createLogger } from '../../dist/log.js';
import { seedBenchModel } from '../lib/model.mjs';

const [url, count, qos, dbPath, sync, page] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5], process.argv[6], process.argv[7] === 'page'];
// Messages before the rate and CPU are measured (page.mjs: the page has found every asset by then).
const warm = Number(process.argv[8] ?? 0);
if (page) seedBenchModel(dbPath, ['temperature', 'vibration', 'current']);
const yaml = `
agent: { id: bench-${process.pid} }
mqtt: { url: "${url}", protocol_version: 5, max_inflight: 1000 }
telemetry: [{ topic: "plant/+line/+asset/telemetry", qos: ${qos} }]
faults: []
storage: { path: "${dbPath}", sync: ${sync} }
http: { listen: "${page ? '127.0.0.1:0' : 'off'}" }
log: { level: warn }
`;
const { config } = parseConfig(yaml, 'bench.yaml', {});
const agent = new Agent({ config, file: 'bench.yaml', warnings: [] }, createLogger('warn'));
await agent.start();
const latencies = new Float64Array(count);
let messages = 0;
let readings = 0;
let first = 0;
let messagesAtFirst = 0;
let predictions = 0;
let cpuAtFirst = null;
agent.on('prediction', () => predictions++);
agent.on('committed', (batch) => {
  const now = Date.now();
  if (cpuAtFirst === null && messages >= warm) {
    first = now;
    cpuAtFirst = process.cpuUsage();
    messagesAtFirst = messages;
    readings = 0;
    predictions = 0;
  }
  for (const reading of batch.readings) {
    readings++;
    if (reading.sensor === 'sent') latencies[messages++] = now - reading.value;
  }
  if (messages === count) {
    const cpu = process.cpuUsage(cpuAtFirst);
    const result = { received: messages - messagesAtFirst, readings, predictions, ms: now - first, cpuUs: cpu.user + cpu.system, latencies: Array.from(latencies), maxRssKb: process.resourceUsage().maxRSS };
    // Exit only once the (large) result has left over IPC.
    process.send(result, () => void agent.stop().then(() => process.exit(0)));
  }
});
agent.once('subscribed', () => process.send({ ready: true, httpPort: agent.httpPort() }));
if (process.env.BENCH_MEMTRACE) {
  // Diagnostics: memory twice a second, on stderr.
  setInterval(() => {
    const m = process.memoryUsage();
    const mb = (x) => (x / 1048576).toFixed(0);
    console.error(`rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`);
  }, 500).unref();
}
