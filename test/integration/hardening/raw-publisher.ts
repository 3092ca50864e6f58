// A lean QoS 1 publisher for the flood test: MQTT 3.1.1 packets written by hand onto one TCP socket, so
// that on two shared cores it can outrun the agent by far (mqtt.js and mosquitto_pub cannot: the
// first is about as fast per message as the agent, the second drops its queue when stdin ends).
// It knows exactly which messages the broker accepted: those it got a PUBACK for [MQTT-4.3.2].
import net from 'node:net';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

export interface RawPublisher {
  /** Messages the broker acknowledged (PUBACK). */
  readonly acked: number;
  /** Sequence numbers the broker acknowledged, in the order of their PUBACKs. */
  readonly ackedSeqs: readonly number[];
  readonly inFlight: number;
  /**
   * Publishes `payload(seq)` for seq = from, from + 1, ... at up to `rate` messages per second for
   * `ms`, with at most `window` unacknowledged; resolves once every one sent is acknowledged.
   */
  run(options: { from: number; ms: number; rate: number; window: number; count?: number; payload: (seq: number) => string }): Promise<{ sent: number; elapsedMs: number }>;
  close(): Promise<void>;
}

function remainingLength(n: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return bytes;
}

function connectPacket(clientId: string): Buffer {
  const id = Buffer.from(clientId);
  // Variable header: "MQTT", level 4, flags: clean session, keepalive 0 (no pings needed).
  const body = Buffer.concat([Buffer.from([0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 0]), Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
}

export async function rawPublisher(port: number, topic: string, clientId = 'raw-flood'): Promise<RawPublisher> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  onCleanup(() => {
    socket.destroy();
  });
  const topicBytes = Buffer.from(topic);
  const seqOfId = new Int32Array(65_536).fill(-1);
  const ackedSeqs: number[] = [];
  let inFlight = 0;
  let nextId = 1;
  let pending: Buffer = Buffer.alloc(0);
  let connected = false;
  let failure: Error | null = null;
  socket.on('error', (error) => (failure = error));
  socket.on('close', () => (failure ??= new Error('the broker closed the publisher connection')));
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 4) {
      const type = pending[at]!;
      if (type === 0x20) connected = pending[at + 3] === 0; // CONNACK, return code
      else if (type === 0x40) {
        const id = pending.readUInt16BE(at + 2); // PUBACK
        ackedSeqs.push(seqOfId[id]!);
        seqOfId[id] = -1;
        inFlight--;
      } else {
        failure = new Error(`unexpected packet type 0x${type.toString(16)} from the broker`);
      }
      at += 4;
    }
    pending = pending.subarray(at);
  });
  socket.write(connectPacket(clientId));
  await waitUntil(() => connected || failure, 5_000, 'the raw publisher is connected');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition, @typescript-eslint/only-throw-error -- the data handler sets it
  if (failure) throw failure;

  const publish = (seq: number, payload: string): Buffer => {
    while (seqOfId[nextId] !== -1) nextId = nextId === 65_535 ? 1 : nextId + 1;
    const id = nextId;
    nextId = nextId === 65_535 ? 1 : nextId + 1;
    seqOfId[id] = seq;
    inFlight++;
    const body = Buffer.byteLength(payload);
    const length = 2 + topicBytes.length + 2 + body;
    const header = remainingLength(length);
    const packet = Buffer.allocUnsafe(1 + header.length + length);
    let o = 0;
    packet[o++] = 0x32; // PUBLISH, QoS 1
    for (const b of header) packet[o++] = b;
    packet.writeUInt16BE(topicBytes.length, o);
    o += 2;
    topicBytes.copy(packet, o);
    o += topicBytes.length;
    packet.writeUInt16BE(id, o);
    o += 2;
    packet.write(payload, o);
    return packet;
  };

  return {
    get acked() {
      return ackedSeqs.length;
    },
    ackedSeqs,
    get inFlight() {
      return inFlight;
    },
    async run({ from, ms, rate, window, count = Infinity, payload }) {
      const started = Date.now();
      let seq = from;
      await new Promise<void>((resolve, reject) => {
        const tick = (): void => {
          if (failure) return reject(failure);
          const elapsed = Date.now() - started;
          if (elapsed >= ms || seq - from >= count) return resolve();
          // Pacing: as many as the rate allows by now, within the window; one write per tick.
          const due = Math.min(Math.floor((elapsed / 1000) * rate), count) - (seq - from);
          const room = Math.min(due, window - inFlight, 5_000);
          if (room > 0 && socket.writableLength < 4 * 1024 * 1024) {
            const packets: Buffer[] = [];
            for (let i = 0; i < room; i++, seq++) packets.push(publish(seq, payload(seq)));
            socket.write(Buffer.concat(packets));
          }
          setTimeout(tick, 2);
        };
        tick();
      });
      const deadline = Date.now() + 60_000;
      while (inFlight > 0) {
        if (failure) throw failure;
        if (Date.now() > deadline) throw new Error(`the broker did not acknowledge ${inFlight} messages within 60 s`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return { sent: seq - from, elapsedMs: Date.now() - started };
    },
    async close() {
      if (!socket.destroyed) socket.end(Buffer.from([0xe0, 0x00])); // DISCONNECT
      await new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
    },
  };
}
