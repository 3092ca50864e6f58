// Quick ACKs against a sender with Nagle's algorithm on (Mosquitto's default), over real loopback
// TCP: the sender's second small segment waits for the ACK of its first, which a receiver that
// answers its peer (as the agent does) delays. With quickAcks the wait is gone.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { quickAcks } from '../../../src/mqtt/quick-ack.js';

const ROUNDS = 25;
const GAP_MS = 2;
const log = createLogger('fatal');

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

/**
 * Each round: the client sends a byte; the server answers with one byte at once and another GAP_MS
 * later, as the broker sends a PUBACK and then the next telemetry. Returns how long each second byte
 * took from the server's write to the client's read, in ms.
 */
async function secondByteDelays(withQuickAcks: boolean): Promise<number[]> {
  const written: number[] = [];
  server = createServer((peer) => {
    peer.setNoDelay(false); // Nagle on, as Mosquitto leaves it
    peer.on('data', () => {
      peer.write('a');
      setTimeout(() => {
        written.push(performance.now());
        peer.write('b');
      }, GAP_MS);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const client: Socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  client.setNoDelay(true);
  if (withQuickAcks) {
    expect(await quickAcks(client, log)).toBe(true);
    expect(await quickAcks(client, log)).toBe(true); // called again, it stays armed once
    expect(client.listenerCount('data')).toBe(1);
  }
  const delays: number[] = [];
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`only ${delays.length} of ${ROUNDS} rounds within 20 s`)), 20_000);
    client.on('data', (chunk) => {
      if (!chunk.includes('b')) return;
      delays.push(performance.now() - written[delays.length]!);
      if (delays.length === ROUNDS) {
        clearTimeout(deadline);
        resolve();
      } else setTimeout(() => client.write('q'), 1); // answering keeps the kernel delaying ACKs
    });
    client.write('q');
  });
  client.destroy();
  return delays;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const linux = process.platform === 'linux';
const suite = linux ? describe : describe.skip;
const title = linux ? 'quickAcks' : `quickAcks — SKIPPED: TCP_QUICKACK is Linux's, and this is ${process.platform}`;

suite(title, () => {
  it('lets a sender with Nagle on send its next small segment at once', async () => {
    const delayed = median(await secondByteDelays(false));
    const quick = median(await secondByteDelays(true));
    // Without quick ACKs the kernel holds the ACK (and so the sender's next byte) for a timer's worth
    // of milliseconds; this shows the test reproduces the stall it is about.
    expect(delayed).toBeGreaterThan(5);
    expect(quick).toBeLessThan(1.5);
  });

  it('leaves a stream that is not a TCP socket as it is', async () => {
    expect(await quickAcks(new Duplex({ read() {}, write(_c, _e, cb) { cb(); } }), log)).toBe(false);
    expect(await quickAcks(null, log)).toBe(false);
    // A Unix socket has a descriptor, but no TCP options.
    const dir = mkdtempSync(join(tmpdir(), 'faultline-quickack-'));
    const path = join(dir, 'sock');
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server!.listen(path, resolve));
    const client = connect(path);
    await new Promise((resolve) => client.once('connect', resolve));
    expect(await quickAcks(client, log)).toBe(false);
    expect(client.listenerCount('data')).toBe(0);
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
});
