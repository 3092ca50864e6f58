// Runs one suite against every broker we support: aedes in-process (MQTT 3.1.1) always, and a real
// Mosquitto (MQTT 5) where installed. Also a publishing client and a read-only view of the buffer.
import Database from 'better-sqlite3';
import { connectAsync, type MqttClient } from 'mqtt';
import { describe } from 'vitest';
import { startBroker } from '../../src/demo/broker.js';
import { describeWithMosquitto, startMosquitto, type MosquittoOptions } from './mosquitto.js';
import { onCleanup } from './teardown.js';

export interface TestBroker {
  kind: 'aedes' | 'mosquitto';
  url: string;
  protocolVersion: 4 | 5;
  /** Stops the broker (Mosquitto saves persisted sessions on the way down). */
  stop?: () => Promise<void>;
  /** Starts it again, or stops and starts it, on the same port (Mosquitto keeps persisted sessions). */
  restart?: () => Promise<void>;
}

export type StartBroker = (options?: MosquittoOptions) => Promise<TestBroker>;

async function startAedes(): Promise<TestBroker> {
  const broker = await startBroker();
  onCleanup(() => broker.close());
  return { kind: 'aedes', url: broker.url, protocolVersion: 4 };
}

export async function startRealMosquitto(options: MosquittoOptions = {}): Promise<TestBroker> {
  const broker = await startMosquitto({ verboseLogs: false, maxQueuedMessages: 100_000, maxInflightMessages: 0, ...options });
  return { kind: 'mosquitto', url: broker.url, protocolVersion: 5, stop: () => broker.stop(), restart: () => broker.restart() };
}

/** Registers `suite` once per broker kind (Mosquitto visibly skipped when not installed). */
export function describeEachBroker(name: string, suite: (start: StartBroker) => void): void {
  describe(`${name} (aedes, MQTT 3.1.1)`, () => suite(() => startAedes()));
  describeWithMosquitto(`${name} (mosquitto, MQTT 5)`, () => suite((options) => startRealMosquitto(options)));
}

export async function connectClient(broker: TestBroker, options: { clientId?: string; clean?: boolean } = {}): Promise<MqttClient> {
  const client = await connectAsync(broker.url, {
    protocolVersion: broker.protocolVersion,
    reconnectPeriod: 200,
    clean: options.clean ?? true,
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(broker.protocolVersion === 5 && options.clean === false ? { properties: { sessionExpiryInterval: 600 } } : {}),
  });
  onCleanup(() => client.endAsync(true));
  return client;
}

export interface BufferView {
  count(sql: string, ...params: unknown[]): number;
  all<T>(sql: string, ...params: unknown[]): T[];
  counter(name: string): number;
}

/** A read-only view of an agent's buffer, for asserting on the rows themselves. */
export function openBuffer(path: string): BufferView {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  onCleanup(() => {
    db.close();
  });
  return {
    count: (sql, ...params) => (db.prepare(sql).get(...params) as { n: number }).n,
    all: <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[],
    counter: (name) => (db.prepare('SELECT value FROM counters WHERE name = ?').get(name) as { value: number } | undefined)?.value ?? 0,
  };
}
