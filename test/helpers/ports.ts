// Loopback TCP ports for tests: pick a free ephemeral port, wait until a port accepts connections.
import net from 'node:net';
import { waitUntil } from './wait.js';

export const LOOPBACK = '127.0.0.1';

/** Asks the kernel for a free port on 127.0.0.1 (listen on :0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('could not read the listening port'))));
    });
  });
}

/** True if a TCP connection to 127.0.0.1:port succeeds right now. */
export function canConnect(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Resolves once 127.0.0.1:port accepts a TCP connection; rejects after `deadlineMs`. */
export async function waitForPort(port: number, deadlineMs: number, host = LOOPBACK): Promise<void> {
  await waitUntil(() => canConnect(port, host), deadlineMs, `${host}:${port} accepts connections`);
}
