// The MQTT session a Sparkplug edge node needs, as options for src/mqtt/connection.ts: its own client
// id, a clean session that expires at once, no status announcements, NCMD (and STATE) subscriptions,
// and the bdSeq counter behind its NDEATH Will. Builds options only; never connects.
import type { Logger } from '../log.js';
import type { ConnectionOptions, Inbound, PublishOptions, Subscription, Will } from '../mqtt/connection.js';
import type { KeyValueStore } from '../store/meta.js';
import { sparkplugNodeTopic, sparkplugStateTopic } from '../topics/contract.js';
import type { SparkplugConfig } from './types.js';

/** What the edge node needs of a broker connection; src/mqtt/connection.ts' Connection fits. */
export interface SparkplugConnection {
  readonly connected: boolean;
  start(): void;
  stop(): Promise<void>;
  publish(topic: string, payload: Buffer, options: PublishOptions): Promise<void>;
  on(event: 'disconnected', listener: () => void): unknown;
}

export type ConnectionFactory = (options: ConnectionOptions) => SparkplugConnection;

export const BD_SEQ_KEY = 'sparkplug.bd_seq';

export interface SessionSpec {
  config: Pick<SparkplugConfig, 'mqtt' | 'agent'>;
  log: Logger;
  group: string;
  edgeNode: string;
  primaryHost: string | null;
  will: () => Will;
  onConnected: () => void;
  onMessage: (message: Inbound) => void;
  beforeDisconnect: () => Promise<void>;
}

export function sessionOptions(spec: SessionSpec): ConnectionOptions {
  const { config } = spec;
  const subscriptions: Subscription[] = [{ filter: sparkplugNodeTopic(spec.group, 'NCMD', spec.edgeNode), qos: 1 }]; // [tck-id-message-flow-edge-node-ncmd-subscribe]
  if (spec.primaryHost) subscriptions.push({ filter: sparkplugStateTopic(spec.primaryHost), qos: 1 });
  const base = config.mqtt.client_id ?? `faultline-${config.agent.id}`;
  return {
    // Session Expiry 0 on MQTT 5 [tck-id-principles-persistence-clean-session-50]
    mqtt: { ...config.mqtt, session_expiry: 0 },
    agentId: config.agent.id,
    log: spec.log,
    clientId: `${base}-spb`, // the main connection keeps its own session and status Will
    clean: true, // [tck-id-principles-persistence-clean-session-311]
    announce: false,
    will: spec.will,
    onConnected: spec.onConnected,
    subscriptions,
    onMessage: (message) => {
      spec.onMessage(message);
      return Promise.resolve();
    },
    backpressure: () => null,
    beforeDisconnect: spec.beforeDisconnect,
  };
}

/**
 * The bdSeq for the next CONNECT, stored before it is used: 0 the first time, then one more per
 * connection attempt, 255 wrapping to 0 [tck-id-topics-nbirth-bdseq-increment].
 */
export function nextBdSeq(store: KeyValueStore): number {
  const stored = Number.parseInt(store.get(BD_SEQ_KEY) ?? '', 10);
  const next = Number.isInteger(stored) && stored >= 0 && stored <= 255 ? (stored + 1) % 256 : 0;
  store.set(BD_SEQ_KEY, String(next));
  return next;
}
