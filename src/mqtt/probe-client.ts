// The config probe's MQTT client: connects with the config's credentials and TLS and listens to the
// configured topics for a while, without disturbing a running agent. It has a client id of its own,
// a clean session that the broker forgets as soon as it closes, no Will and no status message, and
// it subscribes at QoS 0, so the broker keeps no queue for it and the agent's session is untouched.
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from '../config/schema.js';
import { baseClientOptions, brokerSettings } from './client-options.js';
import { openClient } from './open-client.js';
import { grantsOfRefusal } from './suback.js';

export interface ProbeMessage {
  topic: string;
  payload: Buffer;
  /** Sent by the broker at subscribe time from what it kept, possibly long ago. */
  retained: boolean;
  receivedAt: number;
}

export interface Listening {
  readonly clientId: string;
  /** What the broker granted each filter: a QoS, or a reason code of 0x80 and up when it refused. */
  readonly granted: ReadonlyArray<{ topic: string; qos: number }>;
  /** Resolves when `stop` is called or the connection is lost (then with its cause). */
  readonly ended: Promise<{ lost: string | null }>;
  stop(): Promise<void>;
}

/** Connects (throwing BrokerConnectError when the broker cannot be reached) and subscribes to `filters`. */
export async function listen(mqtt: MqttConfig, agentId: string, filters: readonly string[], onMessage: (message: ProbeMessage) => void): Promise<Listening> {
  const clientId = `faultline-probe-${agentId}-${Math.random().toString(36).slice(2, 8)}`;
  const options: IClientOptions = { ...baseClientOptions(brokerSettings(mqtt)), clientId, clean: true };
  // MQTT 5: the session ends with the connection. MQTT 3.1.1: a clean session is never kept.
  if (mqtt.protocol_version === 5) options.properties = { sessionExpiryInterval: 0 };
  const client = await openClient(mqtt.url, options, mqtt.connect_timeout);
  let lastError: Error | null = null;
  let stopping = false;
  const ended = new Promise<{ lost: string | null }>((resolve) => {
    client.on('error', (error) => (lastError = error));
    client.on('close', () => resolve({ lost: stopping ? null : (lastError?.message ?? 'the broker closed the connection') }));
  });
  client.on('message', (topic, payload, packet) => onMessage({ topic, payload, retained: packet.retain, receivedAt: Date.now() }));
  const request = Object.fromEntries(filters.map((filter) => [filter, { qos: 0 as const }]));
  let granted: Array<{ topic: string; qos: number }>;
  try {
    granted = (await client.subscribeAsync(request)).map((g) => ({ topic: g.topic, qos: g.qos }));
  } catch (error) {
    const grants = error instanceof Error ? grantsOfRefusal(error, filters) : null;
    if (grants === null) {
      await client.endAsync(true);
      throw error;
    }
    granted = grants;
  }
  return {
    clientId,
    granted,
    ended,
    stop: async () => {
      stopping = true;
      await client.endAsync();
    },
  };
}
