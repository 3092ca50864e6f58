// Holds QoS 1 PUBACKs until the caller says a message is durable, and sends each batch's PUBACKs in
// one socket write. Works on an mqtt.js client; imports nothing from mqtt itself.
import type { MqttClient, Packet } from 'mqtt';

/** mqtt.js internals we rely on; checked at start so an upgrade that changes them fails loudly. */
interface ClientInternals {
  _sendPacket(packet: Packet, cb?: (error?: Error) => void, cbStorePut?: unknown, noStore?: boolean): void;
}

export interface DeferredAcks {
  /** Registers the durability of a QoS 1 message before mqtt.js acknowledges it. */
  expect(messageId: number, durable: Promise<void>): void;
  /** The connection closed: drop what was pending (the broker redelivers it on the next one). */
  reset(): void;
}

/**
 * mqtt.js 5 sends a QoS 1 PUBACK as soon as `handleMessage` calls back, and reads no further packet
 * until then (lib/handlers/publish.ts). Acking after each commit would cap ingest at the rate of
 * single-row commits. Instead `handleMessage` calls back at once, and the PUBACK it triggers is
 * intercepted here and held until the message's batch is durable. Batches commit in arrival order,
 * so PUBACKs still leave in the order the PUBLISHes came [MQTT-4.6.0-2].
 *
 * The held PUBACKs of a batch are written as one buffer: through mqtt.js each costs three tiny
 * socket writes, and at 40k messages/s those chunks piled up in the socket's queue (200k buffered
 * chunks, +40 MB RSS in bench/ingest). A success PUBACK is 4 bytes in MQTT 3.1.1 and 5, whose reason
 * code and properties may be omitted when the reason is 0x00 [MQTT-3.4.2.1].
 */
export function deferAcknowledgements(client: MqttClient): DeferredAcks {
  const internals = client as unknown as ClientInternals;
  if (typeof internals._sendPacket !== 'function') {
    throw new Error('this mqtt.js version has no _sendPacket; faultline cannot hold acknowledgements until readings are stored');
  }
  const awaiting = new Map<number, Promise<void>>();
  let generation = 0;
  let ready: number[] = [];

  const flush = (): void => {
    const ids = ready;
    ready = [];
    if (ids.length === 0 || !client.connected || client.stream.destroyed) return;
    const bytes = Buffer.allocUnsafe(ids.length * 4);
    ids.forEach((id, i) => {
      bytes[i * 4] = 0x40; // PUBACK
      bytes[i * 4 + 1] = 0x02; // remaining length: the packet identifier alone
      bytes.writeUInt16BE(id, i * 4 + 2);
    });
    client.stream.write(bytes);
  };

  const send = internals._sendPacket.bind(client);
  internals._sendPacket = (packet, cb, cbStorePut, noStore) => {
    const id = packet.cmd === 'puback' ? packet.messageId : undefined;
    const durable = id === undefined ? undefined : awaiting.get(id);
    if (id === undefined || durable === undefined || ((packet as { reasonCode?: number }).reasonCode ?? 0) !== 0) {
      send(packet, cb, cbStorePut, noStore);
      return;
    }
    awaiting.delete(id);
    const sentOn = generation;
    cb?.(); // lets mqtt.js read the next packet while this one is being committed
    durable.then(
      () => {
        if (generation !== sentOn) return;
        // One write per batch: every PUBACK whose commit resolved in this microtask run.
        if (ready.push(id) === 1) queueMicrotask(flush);
      },
      () => undefined, // not stored: never acknowledged, so the broker keeps it
    );
  };

  return {
    expect: (messageId, durable) => awaiting.set(messageId, durable),
    reset: () => {
      generation++;
      awaiting.clear();
      ready = [];
    },
  };
}
