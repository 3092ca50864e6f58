// The edge node against a fake connection: the session it asks for (client id, clean session, Will,
// subscriptions), bdSeq per connection attempt, config validation, and re-holding failed publishes.
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../src/config/schema.js';
import type { ConnectionOptions, PublishOptions, Will } from '../../../src/mqtt/connection.js';
import { createCodec } from '../../../src/sparkplug/codec.js';
import { BD_SEQ_KEY, SparkplugNode, type SparkplugConnection } from '../../../src/sparkplug/edge-node.js';
import { memoryStore } from '../../../src/store/meta.js';
import { waitUntil } from '../../helpers/wait.js';

const codec = createCodec();

class FakeConnection extends EventEmitter implements SparkplugConnection {
  connected = false;
  failPublishes = false;
  readonly wills: Will[] = [];
  readonly published: Array<{ topic: string; payload: Buffer; options: PublishOptions }> = [];

  constructor(readonly options: ConnectionOptions) {
    super();
  }

  start(): void {
    this.wills.push(this.options.will!());
  }

  /** What Connection does on a CONNACK. */
  accept(): void {
    this.connected = true;
    this.options.onConnected?.(false);
  }

  /** What Connection does when the socket closes and it tries again. */
  drop(): void {
    this.connected = false;
    this.emit('disconnected');
    this.wills.push(this.options.will!());
  }

  async stop(): Promise<void> {
    await this.options.beforeDisconnect();
    this.connected = false;
  }

  async publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void> {
    if (!this.connected || this.failPublishes) throw new Error('not connected to the broker');
    this.published.push({ topic, payload, options });
  }
}

function setup(overrides: Record<string, unknown> = {}, store = memoryStore()) {
  const config = configSchema.parse({
    agent: { id: 'gw1' },
    mqtt: { client_id: 'faultline-main', protocol_version: 5 },
    sparkplug: { enabled: true, group_id: 'plant1', ...overrides },
  });
  const connections: FakeConnection[] = [];
  const node = new SparkplugNode({
    config,
    log: pino({ level: 'silent' }),
    store,
    connectionFactory: (options) => {
      const connection = new FakeConnection(options);
      connections.push(connection);
      return connection;
    },
  });
  return { node, connections, store };
}

const prediction = (ts: number, risk: number) => ({ prediction: { ts, risk, timeToFaultS: (1 - risk) * 7200, contributions: [] }, level: 0 as const, modelVersion: '7' });

describe('the Sparkplug session', () => {
  it('asks for its own clean session, with an NDEATH Will and the NCMD subscription', () => {
    const { node, connections } = setup();
    node.start();
    const { options, wills } = connections[0]!;
    expect(options.clientId).toBe('faultline-main-spb');
    expect(options.clean).toBe(true);
    expect(options.announce).toBe(false);
    expect(options.mqtt.session_expiry).toBe(0);
    expect(options.subscriptions).toEqual([{ filter: 'spBv1.0/plant1/NCMD/gw1', qos: 1 }]);
    expect(wills[0]).toMatchObject({ topic: 'spBv1.0/plant1/NDEATH/gw1', qos: 1, retain: false });
    expect(codec.decode(wills[0]!.payload).metrics).toEqual([expect.objectContaining({ name: 'bdSeq', value: 0 })]);
    expect(codec.decode(wills[0]!.payload).seq).toBeUndefined();
  });

  it('subscribes to the primary host STATE when one is configured', () => {
    const { node, connections } = setup({ primary_host_id: 'scada', edge_node_id: 'edge7' });
    node.start();
    expect(connections[0]!.options.subscriptions).toEqual([
      { filter: 'spBv1.0/plant1/NCMD/edge7', qos: 1 },
      { filter: 'spBv1.0/STATE/scada', qos: 1 },
    ]);
  });

  it('takes the next bdSeq on every connection attempt and stores it first', () => {
    const store = memoryStore({ [BD_SEQ_KEY]: '41' });
    const { node, connections } = setup({}, store);
    node.start();
    const connection = connections[0]!;
    connection.drop();
    connection.drop();
    expect(connection.wills.map((w) => codec.decode(w.payload).metrics[0]!.value)).toEqual([42, 43, 44]);
    expect(store.get(BD_SEQ_KEY)).toBe('44');
    expect(node.status().bdSeq).toBe(44);
  });

  it('refuses ids that cannot be a topic level', () => {
    expect(() => setup({ group_id: 'plant/1' })).toThrow(/sparkplug.group_id: "plant\/1" must not contain/);
    expect(() => setup({ edge_node_id: 'gw+1' })).toThrow(/sparkplug.edge_node_id/);
    expect(() => setup({ primary_host_id: 'scada#' })).toThrow(/sparkplug.primary_host_id/);
  });
});

describe('publishing predictions', () => {
  it('refuses an asset id that cannot be a device id', () => {
    const { node } = setup();
    expect(node.publishPrediction('press/3', prediction(1, 0.5))).toBe('invalid_asset');
    expect(node.status().devices).toBe(0);
  });

  it('holds a prediction whose publish fails, and replays it as history after the next births', async () => {
    const { node, connections } = setup();
    node.start();
    const connection = connections[0]!;
    connection.accept();
    await waitUntil(() => node.status().born, 1_000, 'births');
    node.publishPrediction('press3', prediction(1000, 0.1));
    connection.failPublishes = true;
    expect(node.publishPrediction('press3', prediction(2000, 0.2))).toBe('sent');
    await waitUntil(() => node.status().held === 1, 1_000, 'the failed DDATA is held');

    connection.failPublishes = false;
    connection.drop();
    const before = connection.published.length;
    connection.accept();
    await waitUntil(() => node.status().held === 0, 1_000, 'the replay');
    const replayed = connection.published.slice(before).map((p) => ({ topic: p.topic, payload: codec.decode(p.payload) }));
    expect(replayed.map((p) => [p.topic, p.payload.seq])).toEqual([
      ['spBv1.0/plant1/NBIRTH/gw1', 0],
      ['spBv1.0/plant1/DBIRTH/gw1/press3', 1],
      ['spBv1.0/plant1/DDATA/gw1/press3', 2],
    ]);
    expect(replayed[2]!.payload.metrics.every((m) => m.isHistorical && m.timestamp === 2000)).toBe(true);
  });

  it('sends historical predictions flagged, without making them the device\'s current value', async () => {
    const { node, connections } = setup();
    node.start();
    const connection = connections[0]!;
    connection.accept();
    await waitUntil(() => node.status().born, 1_000, 'births');
    node.publishPrediction('press3', prediction(5000, 0.5));
    expect(node.publishPrediction('press3', prediction(9000, 0.9), { historical: true })).toBe('sent');
    const ddata = codec.decode(connection.published.at(-1)!.payload);
    expect(ddata.metrics.every((m) => m.isHistorical && m.timestamp === 9000)).toBe(true);

    const before = connection.published.length;
    void connection.options.onMessage({
      topic: 'spBv1.0/plant1/NCMD/gw1',
      payload: codec.encode({ timestamp: 1, metrics: [{ name: 'Node Control/Rebirth', datatype: 11, value: true }] }),
      qos: 0,
      receivedAt: 1,
    });
    const dbirth = codec.decode(connection.published[before + 1]!.payload);
    expect(connection.published[before + 1]!.topic).toBe('spBv1.0/plant1/DBIRTH/gw1/press3');
    expect(dbirth.metrics.find((m) => m.name === 'risk')).toMatchObject({ value: 0.5, timestamp: 5000 });
  });

  it('publishes no NDATA when no node metric changed', async () => {
    const { node, connections } = setup();
    node.start();
    connections[0]!.accept();
    await waitUntil(() => node.status().born, 1_000, 'births');
    const before = connections[0]!.published.length;
    node.updateNodeMetrics({ readingsStored: 0, modelVersion: null });
    expect(connections[0]!.published.length).toBe(before);
    node.updateNodeMetrics({ rmse: 12.5 });
    const ndata = codec.decode(connections[0]!.published.at(-1)!.payload);
    expect(ndata.metrics.map((m) => [m.name, m.value])).toEqual([['rmse', 12.5]]);
    expect(ndata.seq).toBe(1);
  });

  it('publishes NDEATH with the current bdSeq before disconnecting on stop', async () => {
    const { node, connections } = setup();
    node.start();
    connections[0]!.accept();
    await waitUntil(() => node.status().born, 1_000, 'births');
    await node.stop();
    const last = connections[0]!.published.at(-1)!;
    expect(last.topic).toBe('spBv1.0/plant1/NDEATH/gw1');
    expect(codec.decode(last.payload).metrics).toEqual([expect.objectContaining({ name: 'bdSeq', value: 0 })]);
  });
});
