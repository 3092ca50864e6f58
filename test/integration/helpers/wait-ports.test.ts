// Self-tests for test/helpers/wait.ts and test/helpers/ports.ts.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { canConnect, freePort, waitForPort } from '../../helpers/ports.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitForEvent, waitUntil, withDeadline } from '../../helpers/wait.js';

describe('wait helpers', () => {
  it('waitForEvent resolves with the event arguments', async () => {
    const emitter = new EventEmitter();
    const event = waitForEvent<[number, string]>(emitter, 'ready', 1_000);
    emitter.emit('ready', 1, 'a');
    await expect(event).resolves.toEqual([1, 'a']);
    expect(emitter.listenerCount('ready') + emitter.listenerCount('error')).toBe(0);
  });

  it('waitForEvent rejects on error and on timeout, naming the event', async () => {
    const emitter = new EventEmitter();
    const failing = waitForEvent(emitter, 'ready', 1_000);
    emitter.emit('error', new Error('boom'));
    await expect(failing).rejects.toThrow('boom');
    await expect(waitForEvent(emitter, 'never', 20)).rejects.toThrow(/waiting for event 'never'/);
  });

  it('waitUntil returns the truthy value, and names `what` on timeout', async () => {
    let calls = 0;
    await expect(waitUntil(() => ++calls >= 3 && calls, 1_000, 'three calls')).resolves.toBe(3);
    await expect(waitUntil(() => false, 30, 'the moon turns blue')).rejects.toThrow(
      /timed out after 30 ms waiting until the moon turns blue/,
    );
    await expect(
      waitUntil(() => {
        throw new Error('not yet');
      }, 30, 'x'),
    ).rejects.toThrow(/last error: not yet/);
  });

  it('withDeadline names what it waited for', async () => {
    await expect(withDeadline(new Promise(() => undefined), 20, 'godot')).rejects.toThrow(/waiting for godot/);
  });
});

describe('port helpers', () => {
  it('freePort returns a bindable loopback port; waitForPort sees a listener', async () => {
    const port = await freePort();
    expect(await canConnect(port)).toBe(false);
    const server = net.createServer((socket) => socket.end());
    onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
    server.listen(port, '127.0.0.1');
    await waitForPort(port, 2_000);
    expect(await canConnect(port)).toBe(true);
  });

  it('waitForPort fails with the address in the message', async () => {
    const port = await freePort();
    await expect(waitForPort(port, 50)).rejects.toThrow(`127.0.0.1:${port} accepts connections`);
  });
});
