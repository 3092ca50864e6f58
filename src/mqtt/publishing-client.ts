// A minimal publishing client for `faultline replay` and the demo line: connect, publish with flow
// control (at most maxInflight unacknowledged), end. For publishing only: no subscriptions, no
// reconnects (a lost connection fails what is pending, loudly).
import type { IClientOptions, MqttClient } from 'mqtt';
import { baseClientOptions } from './client-options.js';
import { openClient } from './open-client.js';

export interface PublisherOptions {
  url: string;
  /** 5 (default) or 4 for MQTT 3.1.1 brokers such as the embedded aedes. */
  protocolVersion?: 4 | 5;
  clientId?: string;
  username?: string;
  password?: string;
  /** PEM CA, client certificate and key for mqtts:// URLs. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Most publishes not yet acknowledged (QoS 1) or not yet written (QoS 0). Default 100. */
  maxInflight?: number;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  keepaliveS?: number;
}

export interface Publisher {
  /**
   * Resolves when the broker has acknowledged the message (QoS 1) or it is written to the socket
   * (QoS 0). Waits for a free slot first when maxInflight publishes are outstanding. Rejects when
   * the broker refuses it or the connection is lost.
   */
  publish(topic: string, payload: string | Buffer, qos?: 0 | 1, options?: { retain?: boolean }): Promise<void>;
  /** Resolves when fewer than maxInflight publishes are outstanding: await it before each publish to bound memory. */
  ready(): Promise<void>;
  /** Resolves when every publish so far has settled. */
  flush(): Promise<void>;
  readonly inflight: number;
  /** Null while connected; the reason once the connection is gone. */
  readonly lost: Error | null;
  /** Disconnects cleanly, waiting up to `graceMs` (default 2 s) for outstanding publishes. */
  end(graceMs?: number): Promise<void>;
}

const DEFAULT_MAX_INFLIGHT = 100;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export async function connectPublisher(options: PublisherOptions): Promise<Publisher> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const clientOptions: IClientOptions = {
    ...baseClientOptions({
      protocolVersion: options.protocolVersion ?? 5,
      keepaliveS: options.keepaliveS ?? 30,
      connectTimeoutMs: timeoutMs,
      username: options.username ?? null,
      password: options.password ?? null,
      ca: options.ca ?? null,
      cert: options.cert ?? null,
      key: options.key ?? null,
    }),
    clientId: options.clientId ?? `faultline-publisher-${Math.random().toString(16).slice(2, 10)}`,
    clean: true,
  };
  const client = await openClient(options.url, clientOptions, timeoutMs);
  return new FlowControlledPublisher(client, Math.max(1, options.maxInflight ?? DEFAULT_MAX_INFLIGHT));
}

class FlowControlledPublisher implements Publisher {
  inflight = 0;
  lost: Error | null = null;
  private readonly slotWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly pending = new Set<(error: Error) => void>();
  private lastError: Error | null = null;

  constructor(
    private readonly client: MqttClient,
    private readonly maxInflight: number,
  ) {
    client.on('error', (error) => (this.lastError = error));
    client.on('close', () => this.onLost());
  }

  async publish(topic: string, payload: string | Buffer, qos: 0 | 1 = 1, options: { retain?: boolean } = {}): Promise<void> {
    while (this.inflight >= this.maxInflight && !this.lost) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    if (this.lost) throw this.lost;
    this.inflight++;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        this.pending.delete(settle);
        this.inflight--;
        // Settle first, so the caller's handlers run before anyone waiting for a slot or for flush().
        if (error) reject(error);
        else resolve();
        this.release();
      };
      this.pending.add(settle);
      this.client.publish(topic, payload, { qos, retain: options.retain ?? false }, (error) => settle(error ?? undefined));
    });
  }

  ready(): Promise<void> {
    if (this.inflight < this.maxInflight || this.lost) return Promise.resolve();
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  flush(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async end(graceMs = 2_000): Promise<void> {
    const wasConnected = this.lost === null;
    if (wasConnected) await settleWithin(this.flush(), graceMs);
    this.lost ??= new Error('the publisher was ended');
    // A graceful end waits for what mqtt.js still holds; once the connection is gone nothing will come.
    const force = !wasConnected || this.inflight > 0;
    if (!(await settleWithin(this.client.endAsync(force), graceMs))) await this.client.endAsync(true);
  }

  private release(): void {
    this.slotWaiters.shift()?.();
    if (this.inflight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private onLost(): void {
    if (!this.lost) {
      const cause = this.lastError ? `: ${this.lastError.message}` : '';
      this.lost = new Error(`the connection to the broker was lost${cause}`);
    }
    // Without reconnects mqtt.js would hold these forever; fail them so the caller can say what was lost.
    for (const settle of [...this.pending]) settle(this.lost);
    for (const wake of this.slotWaiters.splice(0)) wake();
  }
}

/** True when `promise` settled within `ms`, false when the time ran out first. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
