// Every topic of the outside contract (shared/contract.md), Sparkplug B's included, and the type of
// what each carries: the one place that spells a topic. Pure: builds and parses names, no client.
import type { PredictionPayload } from '../predict/payload.js';
import type { ModelCard } from '../train/card.js';
import type { Level } from '../predict/levels.js';

/**
 * What each topic carries, in the spirit of zigbee2mqtt's typed `bridge/*` API: a message built
 * here for a topic can only hold that topic's payload.
 */
export interface TopicPayloads {
  /** faultline/<agent>/status: the retained online marker and the Last Will. */
  status: 'online' | 'offline';
  /** faultline/<agent>/model: the serving model's card, retained. */
  model: ModelCard;
  /** predictions.topic, per asset. */
  prediction: PredictionPayload;
  /** <prediction topic>/risk, /time_to_fault_s, /level with `predictions.scalars`: bare numbers for PLCs. */
  risk: number;
  time_to_fault_s: number;
  level: Level;
  /** faultline/fleet/<fleet>/<agent>/stats: what an agent shares with its fleet, retained: a FleetStats as fleet/codec.ts encodes it. */
  fleet_stats: Uint8Array;
}

/** A message ready for the broker. */
export interface Outgoing {
  readonly topic: string;
  readonly payload: string;
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

/** The retained status topic: "online" while connected, "offline" as the Last Will. */
export function statusMessage(agentId: string, status: TopicPayloads['status']): Outgoing {
  return { topic: `faultline/${agentId}/status`, payload: status, qos: 1, retain: true };
}

/** The serving model's card, retained so that a SCADA that subscribes later still gets it. */
export function modelMessage(agentId: string, card: TopicPayloads['model']): Outgoing {
  return { topic: `faultline/${agentId}/model`, payload: JSON.stringify(card), qos: 1, retain: true };
}

/** The inbound command topic: any payload retrains now. */
export function retrainTopic(agentId: string): string {
  return `faultline/${agentId}/cmd/retrain`;
}

// Fleet learning (issue 15): each member's statistics, retained on its own topic under the fleet's.

/** The retained statistics of one agent of a fleet. */
export function fleetStatsTopic(fleetId: string, agentId: string): string {
  return `faultline/fleet/${fleetId}/${agentId}/stats`;
}

/** Every member's statistics topic of a fleet: what an agent that learns from it subscribes to. */
export function fleetStatsFilter(fleetId: string): string {
  return fleetStatsTopic(fleetId, '+');
}

/** The agent id a topic names when it is a statistics topic of `fleetId`; null for any other topic. */
export function fleetStatsAgent(fleetId: string, topic: string): string | null {
  const parts = topic.split('/');
  const [root, kind, fleet, agent, leaf] = parts;
  const shaped = parts.length === 5 && root === 'faultline' && kind === 'fleet' && leaf === 'stats';
  return shaped && fleet === fleetId && agent !== undefined && agent !== '' ? agent : null;
}

/** This agent's statistics for its fleet, QoS 1 and retained, so that a member that starts later still gets them. */
export function fleetStatsMessage(fleetId: string, agentId: string, payload: TopicPayloads['fleet_stats']): Omit<Outgoing, 'payload'> & { readonly payload: Buffer } {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return { topic: fleetStatsTopic(fleetId, agentId), payload: bytes, qos: 1, retain: true };
}

/** The default of `predictions.topic`: captures of the telemetry topic fill {line} and {asset}. */
export const DEFAULT_PREDICTION_TOPIC = 'plant/{line}/{asset}/prediction';

/** A prediction topic as a technician would write one, for hints in config messages. */
export const EXAMPLE_PREDICTION_TOPIC = 'plant/{asset}/prediction';

/** The JSON message on `topic`, then (with `scalars`) /risk, /time_to_fault_s and /level as bare numbers. */
export function predictionMessages(
  topic: string,
  payload: TopicPayloads['prediction'],
  level: TopicPayloads['level'],
  options: { qos: 0 | 1; scalars: boolean },
): Outgoing[] {
  const message = (name: string, text: string): Outgoing => ({ topic: name, payload: text, qos: options.qos, retain: false });
  const messages = [message(topic, JSON.stringify(payload))];
  if (options.scalars) {
    const risk: TopicPayloads['risk'] = payload.risk;
    const timeToFault: TopicPayloads['time_to_fault_s'] = payload.time_to_fault_s;
    messages.push(message(`${topic}/risk`, String(risk)), message(`${topic}/time_to_fault_s`, String(timeToFault)), message(`${topic}/level`, String(level)));
  }
  return messages;
}

// Sparkplug B 3.0 topics: spBv1.0/<group>/<type>/<node>[/<device>] and spBv1.0/STATE/<host>.

export const SPARKPLUG_NAMESPACE = 'spBv1.0';

export const NODE_TYPES = ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const;
export const DEVICE_TYPES = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const;
export type NodeMessageType = (typeof NODE_TYPES)[number];
export type DeviceMessageType = (typeof DEVICE_TYPES)[number];
export type MessageType = NodeMessageType | DeviceMessageType;

export type SparkplugTopic =
  | { kind: 'node'; group: string; type: NodeMessageType; node: string }
  | { kind: 'device'; group: string; type: DeviceMessageType; node: string; device: string }
  | { kind: 'state'; host: string };

/**
 * Group, edge node, device and host ids: non-empty UTF-8 without + / # [tck-id-topic-structure-namespace-valid-group-id],
 * [tck-id-topic-structure-namespace-valid-edge-node-id], [tck-id-topic-structure-namespace-valid-device-id].
 */
export function isValidSparkplugId(id: string): boolean {
  return id.length > 0 && !/[+/#]/.test(id) && !id.includes('\u0000');
}

const isNodeType = (type: string): type is NodeMessageType => (NODE_TYPES as readonly string[]).includes(type);
const isDeviceType = (type: string): type is DeviceMessageType => (DEVICE_TYPES as readonly string[]).includes(type);

/** Null when the topic is not a well-formed Sparkplug B topic [tck-id-topic-structure]. */
export function parseSparkplugTopic(topic: string): SparkplugTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== SPARKPLUG_NAMESPACE) return null;
  if (parts[1] === 'STATE') {
    // Sparkplug 3.0: spBv1.0/STATE/<host_id> [tck-id-host-topic-phid-birth-topic]
    const host = parts[2];
    return parts.length === 3 && host !== undefined && isValidSparkplugId(host) ? { kind: 'state', host } : null;
  }
  const [, group, type, node, device] = parts;
  if (group === undefined || type === undefined || node === undefined || !isValidSparkplugId(group) || !isValidSparkplugId(node)) return null;
  if (isNodeType(type)) {
    // [tck-id-topic-structure-namespace-device-id-non-associated-message-types]
    return parts.length === 4 ? { kind: 'node', group, type, node } : null;
  }
  if (isDeviceType(type)) {
    // [tck-id-topic-structure-namespace-device-id-associated-message-types]
    return parts.length === 5 && device !== undefined && isValidSparkplugId(device) ? { kind: 'device', group, type, node, device } : null;
  }
  return null;
}

export function sparkplugNodeTopic(group: string, type: NodeMessageType, node: string): string {
  return `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}`;
}

export function sparkplugDeviceTopic(group: string, type: DeviceMessageType, node: string, device: string): string {
  return `${SPARKPLUG_NAMESPACE}/${group}/${type}/${node}/${device}`;
}

export function sparkplugStateTopic(host: string): string {
  return `${SPARKPLUG_NAMESPACE}/STATE/${host}`;
}

/** The shape of a Sparkplug B topic, for messages that say what was expected. */
export const SPARKPLUG_TOPIC_SHAPE = `${SPARKPLUG_NAMESPACE}/group/type/node[/device]`;
