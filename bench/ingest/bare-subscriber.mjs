// The baseline: a bare mqtt.js subscriber that only parses and counts, on the same broker with the
// same persistent-session settings as the agent. Reports rate, latency and peak RSS to run.mjs.
import mqtt from 'mqtt';

const [url, count, qos] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const latencies = new Float64Array(count);
let received = 0;
let first = 0;
const client = await mqtt.connectAsync(url, {
  protocolVersion: 5,
  clientId: `bare-${process.pid}`,
  clean: false,
  properties: { sessionExpiryInterval: 600, receiveMaximum: 1000 },
});
client.on('message', (topic, payload) => {
  const now = Date.now();
  const message = JSON.parse(payload.toString());
  if (received === 0) first = now;
  latencies[received++] = now - message.sent;
  if (received === count) {
    const result = { received, ms: now - first, latencies: Array.from(latencies), maxRssKb: process.resourceUsage().maxRSS };
    // Exit only once the (large) result has left over IPC.
    process.send(result, () => void client.endAsync().then(() => process.exit(0)));
  }
});
await client.subscribeAsync('plant/+/+/telemetry', { qos });
process.send({ ready: true });
