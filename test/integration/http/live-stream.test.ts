// The status page's live stream over real sockets: updates coalesced to the latest per asset, the
// number of open pages capped, a page whose socket backs up told to reload once it drains, and one
// stuck for good dropped, so no browser can make the agent hold more and more unsent updates.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { LiveStream } from '../../../src/http/live-stream.js';
import { Metrics } from '../../../src/http/metrics.js';
import type { PageStatus } from '../../../src/http/page-data.js';
import { startHttp } from '../../../src/http/server.js';
import { loadStaticFiles } from '../../../src/http/static-files.js';
import { createLogger } from '../../../src/log.js';
import type { AssetPrediction } from '../../../src/predict/predictor.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

function prediction(asset: string, ts: number): AssetPrediction {
  return { asset, line: 'line1', prediction: { ts, timeToFaultS: 3600, risk: 0.5, contributions: [{ feature: 'temperature_mean', value: -1000 }], historyS: 3600 }, level: 1, modelVersion: '7', horizonS: 7200 };
}

async function serve(options: { maxClients: number; stuckMs: number }) {
  const stream = new LiveStream({ ...options, flushMs: 20, tickMs: 60_000, tick: () => ({}) });
  stream.start();
  const server = await startHttp({
    listen: '127.0.0.1:0',
    maxBody: 1024,
    log: createLogger('fatal'),
    metrics: new Metrics(),
    snapshot: () => {
      throw new Error('not scraped here');
    },
    health: () => ({ healthy: true, mqtt: 'connected', db: 'ok', last_reading_age_s: null, model: null }),
    predict: () => {
      throw new Error('not asked here');
    },
    token: null,
    page: { files: loadStaticFiles(), status: () => ({}) as PageStatus, history: () => ({ asset: '', from: 0, to: 0, ts: [], risk: [], timeToFaultS: [], level: [], faults: [] }), stream },
  });
  onCleanup(async () => {
    stream.stop();
    await server.close();
  });
  return { stream, port: server.port };
}

/** A raw client of /api/events that reads only when told to; collects what it read. */
function rawClient(port: number) {
  const socket = net.connect({ port, host: '127.0.0.1' });
  onCleanup(() => {
    socket.destroy();
  });
  let text = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  socket.on('close', () => (closed = true));
  socket.write('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
  return { socket, text: () => text, closed: () => closed };
}

describe('the live stream', () => {
  it('sends the latest prediction per asset, coalesced, to every page', async () => {
    const { stream, port } = await serve({ maxClients: 4, stuckMs: 5_000 });
    const client = rawClient(port);
    await waitUntil(() => stream.size === 1, 5_000, 'the page is connected');
    // 50 predictions of each of 3 assets within one flush: one event, the last of each.
    for (let i = 0; i < 50; i++) for (const asset of ['a', 'b', 'c']) stream.change({ kind: 'prediction', prediction: prediction(asset, i) });
    stream.change({ kind: 'fault', asset: 'a', ts: 99 });
    const events = await waitUntil(() => {
      const found = [...client.text().matchAll(/^event: predictions\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as Array<{ asset: string; ts: number }>);
      return found.length > 0 ? found : null;
    }, 5_000, 'a predictions event');
    expect(events).toHaveLength(1);
    expect(events[0]!.map((p) => [p.asset, p.ts])).toEqual([['a', 49], ['b', 49], ['c', 49]]);
    expect(client.text()).toContain('content-type: text/event-stream');
    await waitUntil(() => client.text().includes('event: faults\ndata: [{"asset":"a","ts":99}]'), 5_000, 'the fault');
  });

  it('caps the number of open pages', async () => {
    const { stream, port } = await serve({ maxClients: 2, stuckMs: 5_000 });
    rawClient(port);
    rawClient(port);
    await waitUntil(() => stream.size === 2, 5_000, 'two pages connected');
    const third = await fetch(`http://127.0.0.1:${port}/api/events`);
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: string }).error).toMatch(/too many open status pages/);
  });

  it('stops writing to a page that does not read, tells it to reload once it drains, and drops one stuck for good', { timeout: 30_000 }, async () => {
    const { stream, port } = await serve({ maxClients: 4, stuckMs: 1_500 });
    const slow = rawClient(port);
    const stuck = rawClient(port);
    const reader = rawClient(port);
    await waitUntil(() => stream.size === 3, 5_000, 'three pages connected');
    slow.socket.pause();
    stuck.socket.pause();
    // 2,000 assets' predictions per flush, about 400 KB a flush, until the paused sockets back up.
    const assets = Array.from({ length: 2_000 }, (_, i) => `asset-${i}`);
    let ts = 0;
    const flood = setInterval(() => {
      ts++;
      for (const asset of assets) stream.change({ kind: 'prediction', prediction: prediction(asset, ts) });
    }, 10);
    onCleanup(() => clearInterval(flood));
    // The reader keeps up and keeps getting the newest predictions.
    await waitUntil(() => reader.text().length > 5_000_000, 20_000, 'the reading page got 5 MB');
    // The slow page reads again before it is dropped: it is told to reload its snapshot.
    await new Promise((resolve) => setTimeout(resolve, 700));
    slow.socket.resume();
    await waitUntil(() => slow.text().includes('event: resync'), 10_000, 'the slow page is told to reload');
    // The stuck one never reads again: the agent drops it, so its unsent updates cannot pile up.
    await waitUntil(() => stream.size === 2, 10_000, 'the stuck page is dropped');
    clearInterval(flood);
    stuck.socket.resume();
    await waitUntil(() => stuck.closed(), 10_000, 'the stuck page sees its connection closed');
    expect(slow.closed()).toBe(false);
  });
});
