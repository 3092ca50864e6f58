// Issue 7, "HTTP": oversized bodies, slow clients and malformed JSON on /v1/predict are refused
// without harm, /healthz keeps answering meanwhile, and the endpoint listens on loopback.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { seedChampion } from '../../helpers/model.js';
import { describeWithMosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil, withDeadline } from '../../helpers/wait.js';
import { alive, client, hardeningConfig, httpPort, launch, peakRssMb, subscribed } from './harness.js';

/** The server's limits (src/http/server.ts), and how late its once-a-second sweep may act on them. */
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const SWEEP_SLACK_MS = 2_500;

/** A raw TCP client; resolves `closed` with when the server closed it and everything it sent back. */
function rawClient(port: number): { socket: net.Socket; opened: number; closed: Promise<{ at: number; reply: string }> } {
  const socket = net.connect(port, '127.0.0.1');
  onCleanup(() => {
    socket.destroy();
  });
  let reply = '';
  socket.on('data', (chunk) => (reply += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<{ at: number; reply: string }>((resolve) => socket.on('close', () => resolve({ at: Date.now(), reply })));
  return { socket, opened: Date.now(), closed };
}

/** Polls /healthz every 100 ms until stopped; every answer's status and latency. */
function watchHealth(base: string): { stop: () => Promise<Array<{ status: number; ms: number }>> } {
  const seen: Array<{ status: number; ms: number }> = [];
  let running = true;
  const loop = (async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() clears it between turns
    while (running) {
      const started = Date.now();
      const status = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
      seen.push({ status, ms: Date.now() - started });
      await new Promise((resolve) => setTimeout(resolve, 100)); // the poll interval, not a wait for an outcome
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

describeWithMosquitto('hardening: HTTP', () => {
  it('refuses oversized bodies, slow clients and malformed JSON without harm, answering /healthz throughout', async () => {
    const broker = await startMosquitto({ verboseLogs: false });
    const dir = await tempDir('http');
    seedChampion(join(dir, 'faultline.db'));
    const { agent } = launch(dir, hardeningConfig(broker.url, { http: { listen: '127.0.0.1:0' } })); // max_body: 1MB
    await subscribed(agent);
    const port = await httpPort(agent);
    const base = `http://127.0.0.1:${port}`;
    const health = watchHealth(base);
    const post = (body: string | Buffer) => fetch(`${base}/v1/predict`, { method: 'POST', body });

    // Slow clients: headers a byte at a time, a body that never ends, and 200 that say nothing.
    const slowHeaders = rawClient(port);
    const dribble = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';
    let sent = 0;
    const drip = setInterval(() => slowHeaders.socket.write(dribble[sent++ % dribble.length] ?? 'x'), 200);
    onCleanup(() => clearInterval(drip));
    const slowBody = rawClient(port);
    slowBody.socket.write('POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"asset":');
    const idle = Array.from({ length: 200 }, () => rawClient(port));

    // Oversized bodies: a declared 50 MB, and 20 MB streamed without a declared length.
    const declared = rawClient(port);
    declared.socket.write(`POST /v1/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
    const before = peakRssMb(agent.child.pid!);
    const streamed = await fetch(`${base}/v1/predict`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 320; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
          controller.close();
        },
      }),
      duplex: 'half',
    }).catch((error: Error) => error);
    if (streamed instanceof Response) {
      expect(streamed.status).toBe(413);
      expect(((await streamed.json()) as { error: string }).error).toMatch(/over 1048576 bytes \(http\.max_body\)/);
    } // else: the server closed the connection while the client was still sending, as it should
    expect((await withDeadline(declared.closed, 5_000, 'the declared-oversize connection closes')).reply).toMatch(/^HTTP\/1\.1 413 .*http\.max_body/s);
    expect(peakRssMb(agent.child.pid!) - before).toBeLessThan(15); // the 20 MB was never held

    // Malformed JSON: each refused with 400 and a message.
    const malformed: Array<[string | Buffer, RegExp]> = [
      ['{"asset": "press1"', /not JSON/],
      ['', /not JSON/],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not JSON/],
      [' '.repeat(1024 * 1024 - 10) + '{}', /send \{"asset":"press3"\}/],
      ['['.repeat(200_000) + ']'.repeat(200_000), /must be a JSON object/],
      [`{"readings": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, /readings\[0\] must be an object/],
      ['{"__proto__": {"asset": "press1"}}', /unknown field "__proto__"/],
      ['{"asset": "press1", "asset": {"$ne": null}}', /"asset" must be a non-empty string/],
      [`{"readings": [${Array.from({ length: 40_000 }, (_, i) => `{"ts":${1e12 + i}}`).join(',')}]}`, /the window is not full/],
      ['{"readings": [{"ts": 1e999, "temperature": 1}]}', /readings\[0\]\.ts/],
      ['null', /must be a JSON object/],
    ];
    for (const [body, message] of malformed) {
      const response = await post(body);
      const text = await response.text();
      expect(response.status, `${String(body).slice(0, 40)} -> ${text.slice(0, 200)}`).toBe(400);
      expect(JSON.parse(text).error).toMatch(message);
    }

    // The slow clients are cut off by the server's timeouts.
    const headersCut = await withDeadline(slowHeaders.closed, HEADERS_TIMEOUT_MS + SWEEP_SLACK_MS + 1_000, 'the byte-by-byte client is cut off');
    expect(headersCut.at - slowHeaders.opened).toBeLessThan(HEADERS_TIMEOUT_MS + SWEEP_SLACK_MS);
    const idleCut = await withDeadline(Promise.all(idle.map((c) => c.closed)), HEADERS_TIMEOUT_MS + SWEEP_SLACK_MS + 1_000, 'the 200 idle clients are cut off');
    expect(Math.max(...idleCut.map((c) => c.at)) - idle[0]!.opened).toBeLessThan(HEADERS_TIMEOUT_MS + SWEEP_SLACK_MS);
    const bodyCut = await withDeadline(slowBody.closed, REQUEST_TIMEOUT_MS + SWEEP_SLACK_MS + 1_000, 'the never-ending body is cut off');
    expect(bodyCut.at - slowBody.opened).toBeLessThan(REQUEST_TIMEOUT_MS + SWEEP_SLACK_MS);
    expect(bodyCut.reply).toMatch(/^HTTP\/1\.1 408/);

    // Meanwhile /healthz answered every time, promptly; and a good request still works.
    const answers = await health.stop();
    expect(answers.length).toBeGreaterThan(50);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(1_000);
    const c = await client(broker);
    const start = Date.now() - 20 * 60_000;
    for (let i = 0; i < 11; i++) await c.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts: start + i * 60_000, temperature: 70 }), { qos: 1 });
    await waitUntil(async () => (await post('{"asset":"press1"}')).status === 200, 10_000, 'a good /v1/predict request is answered');
    expect(alive(agent)).toBe(true);
    expect(agent.logs.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    expect((await agent.stop()).code).toBe(0);
  });

  it('listens on loopback: 127.0.0.1 by default, and binds only the address it is given', async () => {
    const dir = await tempDir('http-listen');
    const bare = join(dir, 'defaults.yaml');
    writeFileSync(bare, 'agent: { id: gw }\n'); // no http section: its defaults apply
    const defaults = await runCli(['check-config', '--config', bare]);
    expect(defaults.code).toBe(0);
    expect(defaults.stdout).toMatch(/^http:\n {2}listen: 127\.0\.0\.1:9464$/m);

    const broker = await startMosquitto({ verboseLogs: false });
    const { agent } = launch(dir, hardeningConfig(broker.url, { http: { listen: '127.0.0.1:0' } }));
    const port = await httpPort(agent);
    expect(agent.logs.find((l) => l.msg === 'http listening')?.['host']).toBe('127.0.0.1');
    // The kernel's view: one listening socket on this port, bound to 127.0.0.1 (not 0.0.0.0 or ::).
    const listeners = listeningSockets(port);
    expect(listeners).toEqual(['127.0.0.1']);
    // And from another address of this host, nobody answers.
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (external) {
      const outcome = await new Promise<string>((resolve) => {
        const s = net.connect(port, external);
        s.once('connect', () => (s.destroy(), resolve('connected')));
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(outcome).toBe('ECONNREFUSED');
    }
    expect((await agent.stop()).code).toBe(0);
  });
});

/** Local addresses of the sockets listening on `port`, from /proc/net/tcp and tcp6. */
function listeningSockets(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':');
      if (parseInt(portHex!, 16) !== port) continue;
      found.push(hex!.length === 8 ? hex!.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join('.') : `ipv6:${hex}`);
    }
  }
  return found;
}
