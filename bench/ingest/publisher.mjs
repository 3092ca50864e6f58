// Publishes N telemetry messages (4 sensors each, one of them the publish time) as fast as the broker takes them,
// with a bounded window of unacknowledged QoS 1 messages. Run as a child process of run.mjs.
import mqtt from 'mqtt';

const [url, count, qos] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const WINDOW = 500;
const client = await mqtt.connectAsync(url, { protocolVersion: 5, clean: true });
const started = Date.now();
let next = 0;
const worker = async () => {
  while (next < count) {
    const i = next++;
    // ts is unique per message (so no reading is a duplicate); `sent` carries the publish time.
    const payload = JSON.stringify({ ts: started - count + i, temperature: 60 + (i % 100) / 10, vibration: (i % 37) / 1000, current: 3 + (i % 11) / 10, sent: Date.now() });
    const asset = `asset${i % 20}`;
    if (qos === 0) {
      client.publish(`plant/l1/${asset}/telemetry`, payload, { qos: 0 });
      if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    } else {
      await client.publishAsync(`plant/l1/${asset}/telemetry`, payload, { qos: 1 });
    }
  }
};
await Promise.all(Array.from({ length: qos === 0 ? 1 : WINDOW }, worker));
await client.endAsync();
process.send?.({ published: count, ms: Date.now() - started });
