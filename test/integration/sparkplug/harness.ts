// Test harness for the Sparkplug edge node: a TCP proxy between the node and the broker (to cut the
// connection, which makes the broker publish the Will, or to keep it down), an observer that decodes
// everything on spBv1.0/# with the independent Tahu library, and a node built from a real Config.
import net, { type Server, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { get } from 'sparkplug-payload';
import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { configSchema, type Config } from '../../../src/config/schema.js';
import { SparkplugNode, type SparkplugNodeOptions } from '../../../src/sparkplug/edge-node.js';
import { memoryStore, type KeyValueStore } from '../../../src/store/meta.js';
import { connectClient, type TestBroker } from '../../helpers/brokers.js';
import { LOOPBACK } from '../../helpers/ports.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

export const tahu = get('spBv1.0')!;
export const GROUP = 'plant1';
export const EDGE = 'gw-test';
export const WAIT_MS = 10_000;

/** Tahu hands out 64-bit values as `long` objects. */
export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(String(value));
}

/** Forwards one port to the broker; `cut()` drops the connections, `down()` refuses new ones too. */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  static async start(broker: TestBroker): Promise<TcpProxy> {
    const proxy = new TcpProxy(Number(new URL(broker.url).port));
    await proxy.up();
    onCleanup(() => proxy.down());
    return proxy;
  }

  get url(): string {
    return `mqtt://${LOOPBACK}:${this.port}`;
  }

  async up(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target, LOOPBACK);
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        this.sockets.add(a);
        a.pipe(b);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.destroy();
        });
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, LOOPBACK, () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Drops every proxied connection without an MQTT DISCONNECT: the broker publishes the Will. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.cut();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface Seen {
  index: number;
  topic: string;
  qos: number;
  retain: boolean;
  raw: Buffer;
  /** Decoded by Tahu; null for STATE (JSON) messages. */
  payload: UPayload | null;
}

/** Records everything on spBv1.0/#; MQTT 5 subscribes with retain-as-published so `retain` is the publisher's flag. */
export class Observer {
  readonly seen: Seen[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, raw, packet) => {
      const payload = topic.startsWith('spBv1.0/STATE/') ? null : tahu.decodePayload(raw);
      this.seen.push({ index: this.seen.length, topic, qos: packet.qos, retain: packet.retain, raw, payload });
    });
  }

  static async start(broker: TestBroker): Promise<Observer> {
    const client = await connectClient(broker);
    const observer = new Observer(client);
    await client.subscribeAsync('spBv1.0/#', broker.protocolVersion === 5 ? { qos: 1, rap: true } : { qos: 1 });
    return observer;
  }

  get mark(): number {
    return this.seen.length;
  }

  /** The first message from `from` on whose topic ends with `suffix` (e.g. "NBIRTH/gw-test"). */
  next(suffix: string, from = 0, what = suffix): Promise<Seen> {
    return waitUntil(() => this.seen.slice(from).find((m) => m.topic.endsWith(suffix)), WAIT_MS, `${what} is published`);
  }

  /** Sparkplug messages (not STATE) seen since `from`, in arrival order. */
  since(from: number): Seen[] {
    return this.seen.slice(from).filter((m) => m.payload !== null);
  }
}

export function metric(message: Seen, name: string): UMetric {
  const found = message.payload?.metrics?.find((m) => m.name === name);
  if (!found) throw new Error(`${message.topic} has no metric ${name}: ${JSON.stringify(message.payload?.metrics?.map((m) => m.name))}`);
  return found;
}

/** The is_null flag as sent, read with Tahu's own protobuf classes (its payload decoder shows only `value: null`). */
export function isNullFlag(message: Seen, name: string): boolean {
  const found = org.eclipse.tahu.protobuf.Payload.decode(message.raw).metrics.find((m) => m.name === name);
  if (!found) throw new Error(`${message.topic} has no metric ${name}`);
  return found.isNull === true;
}

export function seqOf(message: Seen): number | undefined {
  const seq = message.payload?.seq;
  return seq === undefined || seq === null ? undefined : num(seq);
}

export function testConfig(url: string, broker: TestBroker, sparkplug: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    agent: { id: 'test-gw' },
    mqtt: { url, protocol_version: broker.protocolVersion, reconnect_min: '200ms', reconnect_max: '400ms', connect_timeout: '2s' },
    model: { horizon: '2h' },
    sparkplug: { enabled: true, group_id: GROUP, edge_node_id: EDGE, ...sparkplug },
  });
}

export interface NodeUnderTest {
  node: SparkplugNode;
  store: KeyValueStore;
}

/** A started node whose stop is registered for cleanup; SPB_LOG=debug shows its logs. */
export function startNode(config: Config, options: Partial<SparkplugNodeOptions> = {}): NodeUnderTest {
  const store = options.store ?? memoryStore();
  const node = new SparkplugNode({ config, log: pino({ level: process.env['SPB_LOG'] ?? 'silent' }), store, ...options });
  node.start();
  onCleanup(() => node.stop());
  return { node, store };
}

export function prediction(ts: number, risk: number, level: 0 | 1 | 2 = 0, modelVersion = '7') {
  return { prediction: { ts, risk, timeToFaultS: (1 - risk) * 7200, contributions: [] }, level, modelVersion };
}
