// The broker connection: the only importer of `mqtt`. Persistent session, TLS and credentials from
// config, capped-backoff reconnects, subscriptions made on every connect, a retained online/offline
// status, and QoS 1 acknowledgements held back until the caller says the message is durable.
import { EventEmitter } from 'node:events';
import { connect, ReasonCodes, type IClientOptions, type IClientPublishOptions, type MqttClient, type Packet } from 'mqtt';
import type { MqttConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { deferAcknowledgements, type DeferredAcks } from './deferred-acks.js';
import { statusMessage } from '../topics/contract.js';
import { baseClientOptions, brokerSettings } from './client-options.js';
import { quickAcks } from './quick-ack.js';
import { grantsOfRefusal } from './suback.js';
import { describeConnectError } from './errors.js';
import { errorCode } from '../error-message.js';
import { LogTurns } from '../log-turns.js';

export interface Subscription {
  filter: string;
  qos: 0 | 1;
}

export interface Inbound {
  topic: string;
  payload: Buffer;
  qos: number;
  receivedAt: number;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
  /** MQTT 5 message expiry; ignored on MQTT 3.1.1. */
  expirySeconds?: number;
}

export interface Will {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface ConnectionOptions {
  mqtt: MqttConfig;
  /** Names the status topic and, by default, the client id. */
  agentId: string;
  log: Logger;
  /** Default: mqtt.client_id, else faultline-<agent.id>. */
  clientId?: string;
  /** Default false: a persistent session, so the broker queues QoS 1 messages while we are away. */
  clean?: boolean;
  /** The Last Will, read before every connection attempt. Default: "offline" on the status topic. */
  will?: () => Will;
  /** Publish the retained status: "online" on connect, "offline" on stop. Default true. */
  announce?: boolean;
  onConnected?: (sessionPresent: boolean) => void;
  subscriptions: readonly Subscription[];
  /** Resolves when the message is durable and may be acknowledged; never acknowledged if it rejects. */
  onMessage: (message: Inbound) => Promise<void>;
  /** Null while there is room; otherwise resolves when the next packet may be read. */
  backpressure: () => Promise<void> | null;
  /** Runs on stop after delivery has paused and before DISCONNECT, so pending acks can still go out. */
  beforeDisconnect: () => Promise<void>;
}

const STOP_GRACE_MS = 2_000;

/** Events: 'connected' (sessionPresent: boolean), 'subscribed', 'disconnected'. */
export class Connection extends EventEmitter {
  private client: MqttClient | null = null;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private wasConnected = false;
  private delivering = true;
  private acks: DeferredAcks | null = null;
  private lastError: Error | null = null;
  // A denied topic fails again on every retry and every new prediction.
  private readonly refusals = new LogTurns();
  private readonly failures = new LogTurns();
  /** Messages handed to send() that did not reach the broker; each is sent again later (see send). */
  failedSends = 0;

  constructor(private readonly options: ConnectionOptions) {
    super();
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    const { mqtt } = this.options;
    const client = connect(mqtt.url, { ...clientOptions(mqtt), ...this.sessionOptions() });
    this.client = client;
    this.acks = deferAcknowledgements(client);
    client.handleMessage = (packet, callback) => this.receive(packet, callback);
    client.on('connect', (connack) => this.onConnect(connack.sessionPresent));
    client.on('close', () => this.onClose());
    client.on('error', (error) => this.onError(error));
  }

  async publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error('not connected to the broker');
    const publishOptions: IClientPublishOptions = { qos: options.qos, retain: options.retain ?? false };
    if (options.expirySeconds !== undefined && this.options.mqtt.protocol_version === 5) {
      publishOptions.properties = { messageExpiryInterval: Math.max(1, Math.round(options.expirySeconds)) };
    }
    try {
      await client.publishAsync(topic, payload, publishOptions);
    } catch (error) {
      const code = errorCode(error);
      if (typeof code === 'number') this.logRefusal(topic, code);
      throw error;
    }
  }

  /**
   * Publishes a message whose loss is repaired by sending it again later: the status on the next
   * connection, the card on every connection and champion change, a rebirth request on the next
   * early data. A failure is counted and logged at most once a minute per topic, never thrown.
   */
  send(message: { readonly topic: string; readonly payload: string | Buffer; readonly qos: 0 | 1; readonly retain: boolean }): void {
    this.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }).catch((error: unknown) => {
      this.failedSends++;
      const turn = this.failures.take(message.topic);
      if (turn) this.options.log.warn({ topic: message.topic, err: error, ...turn }, 'publish failed; it is sent again later');
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (!client) return;
    this.delivering = false; // what arrives from now on is not stored, so never acknowledged
    await this.options.beforeDisconnect();
    if (client.connected && this.announces) {
      const offline = statusMessage(this.options.agentId, 'offline');
      await settleWithin(this.publish(offline.topic, offline.payload, offline), STOP_GRACE_MS);
    }
    const ended = await settleWithin(client.endAsync(false), STOP_GRACE_MS);
    // mqtt.js ignores a second end() while the first is waiting for its in-flight messages, so the
    // forced close is done on the socket itself; an unfinished client could otherwise connect later
    // and take over the session of the connection that replaces this one.
    if (!ended) client.stream.destroy();
    this.client = null;
  }

  /**
   * Says which publish the broker refused, once per topic and reason code per minute: a denied topic
   * is refused again on every retry and every new prediction, which must not become a flood of logs.
   */
  private logRefusal(topic: string, code: number): void {
    const turn = this.refusals.take(`${code} ${topic}`);
    if (!turn) return;
    const reason = ReasonCodes[code as keyof typeof ReasonCodes];
    this.options.log.warn({ topic, reasonCode: code, reason, ...turn }, 'publish refused by broker');
  }

  private get announces(): boolean {
    return this.options.announce ?? true;
  }

  /** What may differ per connection attempt: identity, session and (for Sparkplug) the Will. */
  private sessionOptions(): Pick<IClientOptions, 'clientId' | 'clean' | 'will'> {
    const { mqtt, agentId } = this.options;
    const offline = statusMessage(agentId, 'offline');
    const will = this.options.will?.() ?? { topic: offline.topic, payload: Buffer.from(offline.payload), qos: offline.qos, retain: offline.retain };
    return {
      clientId: this.options.clientId ?? mqtt.client_id ?? `faultline-${agentId}`,
      clean: this.options.clean ?? false,
      will,
    };
  }

  private receive(packet: Packet, callback: (error?: Error) => void): void {
    if (packet.cmd !== 'publish') return callback();
    if (!this.delivering) {
      // Keep the packet loop running (PUBACKs of our own publishes still arrive), but hold this
      // message's PUBACK forever: the broker redelivers it in the next session.
      if (packet.qos > 0 && packet.messageId !== undefined) this.acks?.expect(packet.messageId, new Promise<void>(() => undefined));
      return callback();
    }
    const durable = this.options.onMessage({
      topic: packet.topic,
      payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
      qos: packet.qos,
      receivedAt: Date.now(),
    });
    if (packet.qos > 0 && packet.messageId !== undefined) this.acks?.expect(packet.messageId, durable);
    else durable.catch((error: unknown) => this.options.log.debug({ topic: packet.topic, err: error }, 'QoS 0 message not stored (shutting down); QoS 0 is not redelivered'));
    const wait = this.options.backpressure();
    if (wait) void wait.then(() => callback());
    else callback();
  }

  private onConnect(sessionPresent: boolean): void {
    const { mqtt, agentId, log, subscriptions } = this.options;
    // PUBACKs and predictions are small: send them now rather than wait to fill a segment (Nagle).
    (this.client?.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    void quickAcks(this.client?.stream, log);
    this.attempt = 0;
    this.wasConnected = true;
    log.info({ url: mqtt.url, sessionPresent }, 'connected to broker');
    this.emit('connected', sessionPresent);
    if (this.announces) this.send(statusMessage(agentId, 'online'));
    this.options.onConnected?.(sessionPresent);
    const request = Object.fromEntries(subscriptions.map((s) => [s.filter, { qos: s.qos }]));
    this.client?.subscribe(
      request,
      (error, granted) => {
        const grants = error ? grantsOfRefusal(error, Object.keys(request)) : (granted ?? []);
        if (!grants) {
          log.error({ err: error }, 'subscribe failed');
          return;
        }
        const refused = grants.filter((grant) => grant.qos >= 128);
        for (const grant of refused) {
          log.error(
            { topic: grant.topic, reasonCode: grant.qos, reason: ReasonCodes[grant.qos as keyof typeof ReasonCodes] },
            'subscription refused by broker; check its ACL for this topic',
          );
        }
        log.info({ topics: grants.filter((g) => g.qos < 128).map((g) => g.topic) }, 'subscribed');
        this.emit('subscribed');
      },
    );
  }

  private onClose(): void {
    this.acks?.reset(); // the broker redelivers what was not acknowledged on the next connection
    if (this.wasConnected) this.emit('disconnected');
    this.wasConnected = false;
    if (this.stopping || this.reconnectTimer) return;
    const { reconnect_min: min, reconnect_max: max } = this.options.mqtt;
    const delay = Math.min(max, min * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
    this.attempt = Math.min(this.attempt + 1, 30);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopping || !this.client) return;
      Object.assign(this.client.options, this.sessionOptions());
      // mqtt.js's reconnect() starts empty stores unless it is handed the old ones: the QoS 1
      // publishes not yet acknowledged would never be sent again, nor their promises settle.
      const { incomingStore, outgoingStore } = this.client;
      this.client.reconnect({ incomingStore, outgoingStore });
    }, delay);
  }

  private onError(error: Error): void {
    // mqtt.js emits a TLS handshake error twice (lib/connect/tls.ts and its stream error handler):
    // one attempt, one log line.
    if (error === this.lastError) return;
    this.lastError = error;
    const { mqtt, log } = this.options;
    log.warn({ url: mqtt.url, code: errorCode(error), cause: describeConnectError(error, mqtt.url) }, 'broker connection problem');
  }
}

function clientOptions(mqtt: MqttConfig): IClientOptions {
  const options = baseClientOptions(brokerSettings(mqtt));

  if (mqtt.protocol_version === 5) {
    options.properties = { sessionExpiryInterval: Math.round(mqtt.session_expiry / 1000), receiveMaximum: mqtt.max_inflight };
  }
  return options;
}

async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
