// Sparkplug B topic names: parsing `spBv1.0/<group>/<type>/<node>[/<device>]` and `spBv1.0/STATE/<host>`,
// and building them. Pure; no MQTT client.

export const NAMESPACE = 'spBv1.0';

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
export function isValidId(id: string): boolean {
  return id.length > 0 && !/[+/#\u0000]/.test(id);
}

/** Null when the topic is not a well-formed Sparkplug B topic [tck-id-topic-structure]. */
export function parseTopic(topic: string): SparkplugTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== NAMESPACE) return null;
  if (parts[1] === 'STATE') {
    // Sparkplug 3.0: spBv1.0/STATE/<host_id> [tck-id-host-topic-phid-birth-topic]
    return parts.length === 3 && isValidId(parts[2]!) ? { kind: 'state', host: parts[2]! } : null;
  }
  const [, group, type, node, device] = parts;
  if (group === undefined || type === undefined || node === undefined || !isValidId(group) || !isValidId(node)) return null;
  if ((NODE_TYPES as readonly string[]).includes(type)) {
    // [tck-id-topic-structure-namespace-device-id-non-associated-message-types]
    return parts.length === 4 ? { kind: 'node', group, type: type as NodeMessageType, node } : null;
  }
  if ((DEVICE_TYPES as readonly string[]).includes(type)) {
    // [tck-id-topic-structure-namespace-device-id-associated-message-types]
    return parts.length === 5 && device !== undefined && isValidId(device)
      ? { kind: 'device', group, type: type as DeviceMessageType, node, device }
      : null;
  }
  return null;
}

export function nodeTopic(group: string, type: NodeMessageType, node: string): string {
  return `${NAMESPACE}/${group}/${type}/${node}`;
}

export function deviceTopic(group: string, type: DeviceMessageType, node: string, device: string): string {
  return `${NAMESPACE}/${group}/${type}/${node}/${device}`;
}

export function stateTopic(host: string): string {
  return `${NAMESPACE}/STATE/${host}`;
}
