// The status page's live updates as Server-Sent Events. Bounded whatever the browsers do: updates
// are coalesced (the latest prediction per asset) and written once per flush to every client that
// keeps up; a client whose socket backs up gets nothing more until it drains, then one "resync"
// (the page reloads its snapshot); one stuck for long is dropped; and the number of clients is capped.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { predictionPayload } from '../predict/payload.js';
import type { AssetPrediction } from '../predict/predictor.js';
import type { LiveChange } from './live-state.js';

export interface LiveStreamOptions {
  maxClients: number;
  /** How often coalesced updates go out (ms). */
  flushMs: number;
  /** How often a small status ("tick") goes out, and a keep-alive for proxies (ms). */
  tickMs: number;
  /** A client backed up this long is dropped (ms). */
  stuckMs: number;
  /** The tick's data: cheap, in-memory numbers. */
  tick: () => unknown;
  clock?: () => number;
}

interface Client {
  readonly res: ServerResponse;
  /** Since when its socket has been backed up, or null while it keeps up. */
  backedUpSince: number | null;
}

/** Faults waiting for the next flush, at most; a flood of faults is then one "resync". */
const MAX_PENDING_FAULTS = 500;

export class LiveStream {
  private readonly clients = new Set<Client>();
  private readonly predictions = new Map<string, AssetPrediction>();
  private faults: Array<{ asset: string; ts: number }> = [];
  private overflow = false;
  private refresh = false;
  private timer: NodeJS.Timeout | null = null;
  private lastTick = 0;
  private readonly clock: () => number;

  constructor(private readonly options: LiveStreamOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get size(): number {
    return this.clients.size;
  }

  start(): void {
    this.timer = setInterval(() => this.flush(), this.options.flushMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  /** A change of the live state; costs a map update, whatever the number of clients. */
  change(change: LiveChange): void {
    if (this.clients.size === 0) return;
    if (change.kind === 'prediction') this.predictions.set(change.prediction.asset, change.prediction);
    else if (change.kind === 'fault') {
      if (this.faults.length < MAX_PENDING_FAULTS) this.faults.push({ asset: change.asset, ts: change.ts });
      else this.overflow = true;
    } else this.refresh = true;
  }

  /** The model or the track record changed: the page reloads its snapshot. */
  changed(): void {
    this.refresh = true;
  }

  /** Takes the request over as an event stream; false when there are already maxClients. */
  open(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.clients.size >= this.options.maxClients) return false;
    const client: Client = { res, backedUpSince: null };
    this.clients.add(client);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    // retry: how long a browser waits before it reconnects after the stream ends.
    res.write(`retry: 2000\nevent: tick\ndata: ${JSON.stringify(this.options.tick())}\n\n`);
    res.on('drain', () => {
      if (client.backedUpSince === null) return;
      client.backedUpSince = null;
      res.write('event: resync\ndata: {}\n\n');
    });
    const remove = (): void => {
      this.clients.delete(client);
    };
    req.on('close', remove);
    res.on('close', remove);
    return true;
  }

  private flush(): void {
    if (this.clients.size === 0) return;
    const now = this.clock();
    let text = '';
    if (this.predictions.size > 0) {
      text += `event: predictions\ndata: ${JSON.stringify([...this.predictions.values()].map(predictionPayload))}\n\n`;
      this.predictions.clear();
    }
    if (this.faults.length > 0) {
      text += `event: faults\ndata: ${JSON.stringify(this.faults)}\n\n`;
      this.faults = [];
    }
    if (this.refresh || this.overflow) {
      text += `event: ${this.overflow ? 'resync' : 'refresh'}\ndata: {}\n\n`;
      this.refresh = false;
      this.overflow = false;
    }
    if (now - this.lastTick >= this.options.tickMs) {
      text += `event: tick\ndata: ${JSON.stringify(this.options.tick())}\n\n`;
      this.lastTick = now;
    }
    if (text === '') return;
    for (const client of this.clients) {
      if (client.backedUpSince !== null) {
        if (now - client.backedUpSince > this.options.stuckMs) {
          client.res.destroy();
          this.clients.delete(client);
        }
        continue;
      }
      // write() returns false once the socket's buffer is full: nothing more until 'drain'.
      if (!client.res.write(text)) client.backedUpSince = now;
    }
  }
}
