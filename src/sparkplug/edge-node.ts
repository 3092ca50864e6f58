// faultline as a Sparkplug B edge node on its own MQTT session: bdSeq per CONNECT (persisted), NDEATH
// as the Will, NBIRTH/DBIRTH/DDATA on one seq counter, rebirth on command, the optional wait for the
// primary host's STATE, DDATA by exception, store-and-forward as is_historical. Never imports `mqtt`.
import type { Logger } from '../log.js';
import { Connection, type Inbound, type Will } from '../mqtt/connection.js';
import { createCodec, type Payload, type SparkplugCodec } from './codec.js';
import { afterReport, toReport, type ExceptionRule, type Reported } from './exception.js';
import { HeldQueue } from './held.js';
import {
  DEVICE_METRIC_KEYS,
  deviceBirth,
  deviceData,
  isRebirthRequest,
  nodeBirth,
  nodeData,
  nodeDeath,
  nodeUpdate,
  parseHostState,
  type DeviceMetric,
  type DeviceValues,
  type NodeMetrics,
} from './payloads.js';
import { PrimaryHostWatch } from './primary-host.js';
import { nextBdSeq, sessionOptions, type SparkplugConnection } from './session.js';
import { sparkplugDeviceTopic, isValidSparkplugId, sparkplugNodeTopic, sparkplugStateTopic } from '../topics/contract.js';
import type { PredictionUpdate, PublishOutcome, SparkplugNodeOptions, SparkplugStatus } from './types.js';

export { BD_SEQ_KEY, type ConnectionFactory, type SparkplugConnection } from './session.js';
export type { PredictionUpdate, PublishOutcome, SparkplugNodeOptions, SparkplugStatus } from './types.js';

interface DeviceState {
  /** Newest live values: what a DBIRTH carries as current. */
  latest: DeviceValues | null;
  born: boolean;
  /** What the host was last told (by DBIRTH, DDATA or a held prediction); null before any value. */
  reported: Reported | null;
}

interface Held {
  asset: string;
  values: DeviceValues;
}

const NDEATH_GRACE_MS = 2_000;
const NODE_REFRESH_MS = 30_000;

export class SparkplugNode {
  readonly group: string;
  readonly edgeNode: string;
  private readonly primaryHost: string | null;
  private readonly log: Logger;
  private readonly codec: SparkplugCodec;
  private readonly now: () => number;
  private readonly horizonS: number;
  private readonly rule: ExceptionRule;
  private readonly devices = new Map<string, DeviceState>();
  private readonly held: HeldQueue<Held>;
  private connection: SparkplugConnection | null = null;
  private restarting: Promise<void> | null = null;
  private stopping = false;
  private bdSeq = -1;
  private seq = 0;
  private born = false;
  private readonly host = new PrimaryHostWatch();
  private node: NodeMetrics;
  private nodeSent: NodeMetrics;
  private warnedDrop = false;
  private refresh: NodeJS.Timeout | null = null;

  constructor(private readonly options: SparkplugNodeOptions) {
    const { config } = options;
    this.group = config.sparkplug.group_id;
    this.edgeNode = config.sparkplug.edge_node_id ?? config.agent.id;
    this.primaryHost = config.sparkplug.primary_host_id;
    for (const [key, id] of [['group_id', this.group], ['edge_node_id', this.edgeNode], ['primary_host_id', this.primaryHost]] as const) {
      if (id !== null && !isValidSparkplugId(id)) throw new Error(`sparkplug.${key}: "${id}" must not contain +, / or # (it is a topic level)`);
    }
    this.log = options.log;
    this.codec = options.codec ?? createCodec();
    this.now = options.now ?? Date.now;
    this.horizonS = config.model.horizon / 1000;
    this.rule = { deadband: config.sparkplug.deadband, horizonS: this.horizonS, maxSilenceMs: config.sparkplug.max_silence };
    this.held = new HeldQueue(options.holdCapacity ?? config.predictions.outbox_max);
    this.node = { modelVersion: null, rmse: null, readingsStored: 0 };
    this.nodeSent = { ...this.node };
  }

  start(): void {
    this.stopping = false;
    this.connection = this.createConnection();
    this.connection.start();
    if (this.options.node && !this.refresh) {
      this.refresh = setInterval(() => this.updateNodeMetrics(this.readNode()), this.options.nodeRefreshMs ?? NODE_REFRESH_MS);
      this.refresh.unref();
    }
  }

  /** Publishes NDEATH and disconnects [tck-id-operational-behavior-edge-node-intentional-disconnect-ndeath]. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.refresh) clearInterval(this.refresh);
    this.refresh = null;
    await this.restarting;
    const connection = this.connection;
    this.connection = null;
    this.born = false;
    if (connection) await connection.stop();
  }

  status(): SparkplugStatus {
    return {
      connected: this.connection?.connected ?? false,
      born: this.born,
      primaryHostOnline: this.primaryHost === null ? null : this.host.online,
      bdSeq: this.bdSeq,
      seq: this.seq,
      devices: this.devices.size,
      held: this.held.size,
      dropped: this.held.dropped,
    };
  }

  /**
   * Publishes what a host has not been told of an asset's prediction as DDATA (after its DBIRTH), or
   * holds it until the next births when no session is up; 'unchanged' when there is nothing to tell
   * (see exception.ts). `historical` marks values that are not the asset's current state: they go
   * whole and as they are, since the caller chose to send them.
   */
  publishPrediction(asset: string, update: PredictionUpdate, options: { historical?: boolean } = {}): PublishOutcome {
    if (!isValidSparkplugId(asset)) return 'invalid_asset';
    const historical = options.historical ?? false;
    const values: DeviceValues = {
      ts: update.prediction.ts,
      risk: update.prediction.risk,
      timeToFaultS: update.prediction.timeToFaultS,
      level: update.level,
      modelVersion: update.modelVersion,
    };
    let device = this.devices.get(asset);
    if (!device) {
      device = { latest: null, born: false, reported: null };
      this.devices.set(asset, device);
    }
    if (!historical && (device.latest === null || values.ts >= device.latest.ts)) device.latest = values;
    const now = this.now();
    const metrics = historical ? DEVICE_METRIC_KEYS : toReport(this.rule, device.reported, values, now);
    if (metrics.length === 0) return 'unchanged';
    // A live prediction is held only when it passed the same test as one sent: the history replayed
    // after the next births has the points a connected host would have got, and the bounded hold
    // queue spans a longer outage instead of filling with repeats.
    if (!historical) device.reported = afterReport(device.reported, values, metrics, now);
    if (!this.canSend()) {
      this.hold({ asset, values });
      return 'held';
    }
    if (!device.born) {
      this.birthDevice(asset, device, now);
      if (device.latest === values) return 'sent'; // the DBIRTH carried it as the current value
    }
    this.sendData(asset, values, historical, metrics);
    return 'sent';
  }

  /** Changes node metrics; publishes the changed ones as NDATA when a session is up. */
  updateNodeMetrics(update: Partial<NodeMetrics>): void {
    this.node = { ...this.node, ...nodeUpdate(update) };
    if (!this.canSend()) return;
    const payload = nodeData(0, this.now(), this.nodeSent, this.node);
    if (!payload) return;
    payload.seq = this.nextSeq();
    this.nodeSent = { ...this.node };
    this.send(sparkplugNodeTopic(this.group, 'NDATA', this.edgeNode), payload);
  }

  private canSend(): boolean {
    return this.born && (this.connection?.connected ?? false);
  }

  private createConnection(): SparkplugConnection {
    const factory = this.options.connectionFactory ?? ((options) => new Connection(options));
    const connection: SparkplugConnection = factory(
      sessionOptions({
        config: this.options.config,
        log: this.log,
        group: this.group,
        edgeNode: this.edgeNode,
        primaryHost: this.primaryHost,
        will: () => this.nextWill(),
        onConnected: () => this.onConnected(connection),
        onMessage: (message) => this.onMessage(connection, message),
        beforeDisconnect: () => this.publishDeath(connection),
      }),
    );
    connection.on('disconnected', () => this.onDisconnected(connection));
    return connection;
  }

  /**
   * Read before every CONNECT: an NDEATH Will with the next bdSeq, QoS 1, not retained
   * [tck-id-message-flow-edge-node-birth-publish-will-message-payload-bdSeq],
   * [tck-id-message-flow-edge-node-birth-publish-will-message-qos], [...-will-retained].
   */
  private nextWill(): Will {
    this.bdSeq = nextBdSeq(this.options.store);
    const payload = this.codec.encode(nodeDeath(this.bdSeq, this.now()));
    return { topic: sparkplugNodeTopic(this.group, 'NDEATH', this.edgeNode), payload, qos: 1, retain: false };
  }

  private onConnected(connection: SparkplugConnection): void {
    if (connection !== this.connection) return;
    this.born = false;
    this.host.reset();
    this.log.info({ group: this.group, edgeNode: this.edgeNode, bdSeq: this.bdSeq, primaryHost: this.primaryHost }, 'sparkplug session up');
    // [tck-id-message-flow-edge-node-birth-publish-phid-wait]: with a primary host, births wait for its STATE.
    // Otherwise births go out on the next turn, after the Connection has sent its SUBSCRIBE for NCMD.
    if (!this.primaryHost) setImmediate(() => this.birth('connect'));
  }

  private onDisconnected(connection: SparkplugConnection): void {
    if (connection !== this.connection) return;
    this.born = false;
    this.log.warn({ bdSeq: this.bdSeq }, 'sparkplug session down; holding predictions');
  }

  private onMessage(connection: SparkplugConnection, message: Inbound): void {
    if (connection !== this.connection) return;
    if (message.topic === sparkplugNodeTopic(this.group, 'NCMD', this.edgeNode)) {
      let payload: Payload;
      try {
        payload = this.codec.decode(message.payload);
      } catch (error) {
        this.log.warn({ topic: message.topic, err: error }, 'sparkplug command not understood');
        return;
      }
      // [tck-id-operational-behavior-data-commands-rebirth-action-1..3]: stop DATA, full birth sequence, same bdSeq
      if (isRebirthRequest(payload)) this.birth('rebirth');
      return;
    }
    if (this.primaryHost && message.topic === sparkplugStateTopic(this.primaryHost)) this.onHostState(message.payload);
  }

  private onHostState(raw: Buffer): void {
    const state = parseHostState(raw);
    if (!state) {
      this.log.warn({ host: this.primaryHost }, 'primary host STATE not understood; expected {"online": bool, "timestamp": ms}');
      return;
    }
    const action = this.host.accept(state, this.born);
    if (action === 'birth') this.birth('primary host online');
    if (action === 'end_session' && !this.restarting) {
      this.restarting = this.restartSession().finally(() => {
        this.restarting = null;
      });
    }
  }

  private async restartSession(): Promise<void> {
    const old = this.connection;
    if (!old) return;
    this.log.warn({ host: this.primaryHost, bdSeq: this.bdSeq }, 'primary host offline; ending the sparkplug session');
    this.connection = null;
    this.born = false;
    await old.stop(); // publishes NDEATH before DISCONNECT
    if (this.stopping) return;
    this.connection = this.createConnection();
    this.connection.start();
  }

  /** NBIRTH (seq 0), every known device's DBIRTH, then what was held, as historical DDATA. */
  private birth(reason: string): void {
    const connection = this.connection;
    if (!connection?.connected || this.stopping) return;
    if (this.primaryHost && !this.host.online) return;
    const now = this.now();
    this.node = { ...this.node, ...nodeUpdate(this.readNode()) };
    this.seq = 0; // [tck-id-payloads-sequence-num-zero-nbirth]
    this.send(sparkplugNodeTopic(this.group, 'NBIRTH', this.edgeNode), nodeBirth(this.bdSeq, now, this.node));
    this.nodeSent = { ...this.node };
    this.born = true;
    this.warnedDrop = false;
    for (const [asset, device] of this.devices) this.birthDevice(asset, device, now);
    const held = this.held.drain();
    // A point of history goes whole: the host's last value of the asset predates the outage.
    for (const { asset, values } of held) this.sendData(asset, values, true, DEVICE_METRIC_KEYS);
    this.log.info({ reason, bdSeq: this.bdSeq, devices: this.devices.size, replayed: held.length }, 'sparkplug births published');
  }

  private readNode(): Partial<NodeMetrics> {
    try {
      return this.options.node?.() ?? {};
    } catch (error) {
      this.log.warn({ err: error }, 'cannot read the node metrics; keeping the last values');
      return {};
    }
  }

  /** [tck-id-message-flow-device-birth-publish-nbirth-wait]: only after this session's NBIRTH. */
  private birthDevice(asset: string, device: DeviceState, now: number): void {
    const payload = deviceBirth(this.nextSeq(), now, device.latest, this.horizonS);
    this.send(sparkplugDeviceTopic(this.group, 'DBIRTH', this.edgeNode, asset), payload);
    device.born = true;
    device.reported = device.latest ? afterReport(null, device.latest, DEVICE_METRIC_KEYS, now) : null;
  }

  private sendData(asset: string, values: DeviceValues, historical: boolean, metrics: readonly DeviceMetric[]): void {
    const payload = deviceData(this.nextSeq(), this.now(), values, { historical, metrics });
    this.send(sparkplugDeviceTopic(this.group, 'DDATA', this.edgeNode, asset), payload, () => this.hold({ asset, values }));
  }

  /** [tck-id-payloads-sequence-num-incrementing]: one counter for every message after NBIRTH, 255 wraps to 0. */
  private nextSeq(): number {
    this.seq = (this.seq + 1) % 256;
    return this.seq;
  }

  /** QoS 0, not retained, for NBIRTH/DBIRTH/NDATA/DDATA [tck-id-topics-nbirth-mqtt], [tck-id-topics-ddata-mqtt]. */
  private send(topic: string, payload: Payload, onFailure?: () => void): void {
    const connection = this.connection;
    if (!connection) return onFailure?.();
    connection.publish(topic, this.codec.encode(payload), { qos: 0, retain: false }).catch((error: unknown) => {
      this.log.debug({ topic, err: error }, 'sparkplug publish failed');
      onFailure?.();
    });
  }

  private hold(item: Held): void {
    if (this.held.push(item) || this.warnedDrop) return;
    this.warnedDrop = true;
    this.log.warn({ capacity: this.held.capacity }, 'sparkplug hold queue full; dropping the oldest predictions');
  }

  /**
   * The explicit NDEATH before DISCONNECT. QoS 0: TCP order puts it before the DISCONNECT anyway, and
   * a QoS 1 PUBACK may never be read, since Connection.stop() has paused reading packets by now.
   */
  private async publishDeath(connection: SparkplugConnection): Promise<void> {
    if (!connection.connected) return;
    const payload = this.codec.encode(nodeDeath(this.bdSeq, this.now()));
    const published = connection.publish(sparkplugNodeTopic(this.group, 'NDEATH', this.edgeNode), payload, { qos: 0, retain: false });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, NDEATH_GRACE_MS);
    });
    const failed = published.catch((error: unknown) => this.log.debug({ err: error }, 'NDEATH not sent; the broker publishes the Will instead'));
    await Promise.race([failed, timeout]);
    clearTimeout(timer);
  }
}
