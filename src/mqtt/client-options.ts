// The mqtt.js options every faultline client shares: protocol, timers, credentials, TLS that always
// verifies, and reconnects left to the caller. The agent's connection, the config probe and the
// publishing client (replay, the demo line) add their own session settings on top.
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from '../config/schema.js';

export interface BrokerSettings {
  protocolVersion: 4 | 5;
  keepaliveS: number;
  connectTimeoutMs: number;
  username: string | null;
  password: string | null;
  /** PEM contents, not paths. */
  ca: Buffer | null;
  cert: Buffer | null;
  key: Buffer | null;
}

export function baseClientOptions(settings: BrokerSettings): IClientOptions {
  const options: IClientOptions = {
    protocolVersion: settings.protocolVersion,
    keepalive: settings.keepaliveS,
    connectTimeout: settings.connectTimeoutMs,
    reconnectPeriod: 0, // reconnects are the caller's: capped backoff in Connection, none in the publishing client
    resubscribe: false, // subscriptions are made in the connect handler
    queueQoSZero: false,
    rejectUnauthorized: true,
  };
  if (settings.username !== null) options.username = settings.username;
  if (settings.password !== null) options.password = settings.password;
  if (settings.ca) options.ca = settings.ca;
  if (settings.cert) options.cert = settings.cert;
  if (settings.key) options.key = settings.key;
  return options;
}

/** The settings of the config's mqtt section, with the PEM files read. */
export function brokerSettings(mqtt: MqttConfig): BrokerSettings {
  return {
    protocolVersion: mqtt.protocol_version,
    keepaliveS: Math.round(mqtt.keepalive / 1000),
    connectTimeoutMs: mqtt.connect_timeout,
    username: mqtt.username,
    password: mqtt.password,
    ca: mqtt.ca === null ? null : readFileSync(mqtt.ca),
    cert: mqtt.cert === null ? null : readFileSync(mqtt.cert),
    key: mqtt.key === null ? null : readFileSync(mqtt.key),
  };
}
