// Sends the outbox's held predictions once the broker takes them: in order, pipelined (the next goes
// out while earlier ones await their PUBACK, never more than the publisher's in-flight room), each
// removed from the outbox once it and every one before it is acknowledged. The pace is a budget:
// outbox_rate per second, plus what was held since the last tick (new predictions queue behind the
// held ones, so the drain carries them too, or the outbox would never empty).
import type { Logger } from '../log.js';
import type { Outbox, StoredOutboxMessage } from '../store/outbox.js';
import { errorCode } from '../error-message.js';

/** The part of the MQTT connection the publisher needs. */
export interface MessageSink {
  readonly connected: boolean;
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean; expirySeconds?: number }): Promise<void>;
}

export interface PublisherCounters {
  published: number;
  queued: number;
  dropped: number;
  expired: number;
  /** Refused by the broker (an MQTT 5 reason code such as 135, not authorized): dropped. */
  refused: number;
}

type Outcome = 'sent' | 'refused' | 'expired' | 'lost';
interface Entry {
  readonly id: number;
  outcome: Outcome | null;
}

export interface DrainDeps {
  outbox: Outbox;
  /** Publishes through the publisher's in-flight accounting. */
  send: (sink: MessageSink, message: StoredOutboxMessage, expirySeconds: number) => Promise<void>;
  /** How many more messages may be handed to the MQTT client now. */
  room: () => number;
  /** Writes what the publisher holds in memory to the outbox, behind what is there. */
  writeHeld: () => void;
  counters: PublisherCounters;
  log: Logger;
  now: () => number;
  /** outbox_rate: held messages per second on top of the live stream. */
  ratePerSecond: number;
}

/** At most a second's worth of budget saved, so that a drain slowed by the broker does not burst later. */
const SAVED_TICKS = 10;
/** Rows read from the outbox at a time; acknowledgements refill the pipeline once this many fit. */
const READ_BATCH = 250;

export class OutboxDrain {
  private tokens = 0;
  private sink: MessageSink | null = null;
  /** The newest outbox id handed to the client; the next read starts after it. */
  private lastSent = 0;
  /** Sent and not yet settled, or settled behind one that is not: in id order. */
  private outstanding: Entry[] = [];
  /** Bumped when the pipeline restarts, so that late outcomes of the old one are ignored. */
  private generation = 0;
  /**
   * Settled rows not yet deleted: one DELETE (one commit, an fsync under storage.sync: full) per tick
   * or per READ_BATCH of them, not one per PUBACK.
   */
  private unremoved = { upTo: 0, rows: 0 };

  constructor(private readonly deps: DrainDeps) {}

  /** Called every tick with the connection (or null) and how many messages were held since the last tick. */
  tick(sink: MessageSink | null, arrived: number, tickMs: number): void {
    this.removeSent();
    if (sink !== this.sink) this.restart(sink);
    if (sink === null || !sink.connected || this.waiting() === 0) {
      this.tokens = 0; // nothing to catch up on: no saved-up burst for later
      return;
    }
    const perTick = (this.deps.ratePerSecond * tickMs) / 1000 + arrived;
    this.tokens = Math.min(this.tokens + perTick, perTick * SAVED_TICKS);
    this.pump();
  }

  /**
   * Outbox rows not yet handed to the client. A new prediction may go straight out only when there
   * are none: it then follows every held one on the wire.
   */
  unsent(): number {
    return this.waiting() - this.unremoved.rows - this.outstanding.length;
  }

  private waiting(): number {
    return this.deps.outbox.count();
  }

  private restart(sink: MessageSink | null): void {
    this.removeSent(); // a fresh read from the head must not meet what was acknowledged
    this.sink = sink;
    this.lastSent = 0;
    this.outstanding = [];
    this.generation++;
  }

  private pump(): void {
    const sink = this.sink;
    if (sink === null || !sink.connected) return;
    this.deps.writeHeld();
    for (;;) {
      const limit = Math.min(Math.floor(this.tokens), this.deps.room(), READ_BATCH);
      if (limit < 1) break;
      const batch = this.deps.outbox.head(limit, this.lastSent);
      if (batch.length === 0) break;
      const now = this.deps.now();
      for (const m of batch) this.sendOne(sink, m, now);
      this.tokens -= batch.length;
      this.lastSent = batch[batch.length - 1]!.id;
    }
    this.removeSettledPrefix(this.outstanding.length); // expired ones at the front
  }

  private sendOne(sink: MessageSink, m: StoredOutboxMessage, now: number): void {
    const entry: Entry = { id: m.id, outcome: null };
    this.outstanding.push(entry);
    if (m.expiresAt <= now) {
      entry.outcome = 'expired';
      return;
    }
    const generation = this.generation;
    this.deps.send(sink, m, (m.expiresAt - now) / 1000).then(
      () => this.settle(entry, 'sent', generation),
      (error: unknown) => this.settle(entry, refusedByBroker(error) ? 'refused' : 'lost', generation),
    );
  }

  private settle(entry: Entry, outcome: Outcome, generation: number): void {
    if (generation !== this.generation) return;
    entry.outcome = outcome;
    if (outcome === 'lost') {
      // The connection went: this one and every later one go again, in order, on the next.
      this.removeSettledPrefix(this.outstanding.indexOf(entry));
      this.restart(this.sink);
      return;
    }
    this.removeSettledPrefix(this.outstanding.length);
    if (this.deps.room() >= READ_BATCH || this.outstanding.length === 0) this.pump();
  }

  /** Removes from the outbox the settled entries at the front, up to index `end`. */
  private removeSettledPrefix(end: number): void {
    let n = 0;
    while (n < end && n < this.outstanding.length && this.outstanding[n]!.outcome !== null && this.outstanding[n]!.outcome !== 'lost') n++;
    if (n === 0) return;
    const done = this.outstanding.splice(0, n);
    this.unremoved = { upTo: done[done.length - 1]!.id, rows: this.unremoved.rows + n };
    if (this.unremoved.rows >= READ_BATCH) this.removeSent();
    const c = this.deps.counters;
    let expired = 0;
    for (const e of done) {
      if (e.outcome === 'sent') c.published++;
      else if (e.outcome === 'refused') c.refused++;
      else expired++;
    }
    if (expired > 0) {
      c.expired += expired;
      this.deps.log.info({ expired }, 'held predictions expired before the broker took them; dropped');
    }
  }

  private removeSent(): void {
    if (this.unremoved.rows === 0) return;
    this.deps.outbox.removeThrough(this.unremoved.upTo);
    this.unremoved = { upTo: 0, rows: 0 };
  }
}

/** An MQTT 5 reason code from the broker (PUBACK ≥ 0x80): the message itself is refused, not lost. */
export function refusedByBroker(error: unknown): boolean {
  const code = errorCode(error);
  return typeof code === 'number' && code >= 0x80;
}
