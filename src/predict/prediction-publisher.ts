// Publishes predictions to their MQTT topics. While the broker is away, while older predictions
// still wait, or while MAX_INFLIGHT messages already await the broker, new ones go to the SQLite
// outbox, which drains in order once the broker takes them. Memory stays bounded however fast
// predictions come (a burst of redelivered telemetry makes thousands a second): what the broker
// has not yet taken waits on disk, not in the MQTT client. Expired predictions are dropped and
// counted: SCADA must not act on stale values.
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Outbox, OutboxMessage } from '../store/outbox.js';
import { predictionMessages, type Outgoing } from '../topics/contract.js';
import { parseTemplate, type TopicTemplate } from '../topics/patterns.js';
import { OutboxDrain, refusedByBroker, type MessageSink, type PublisherCounters } from './outbox-drain.js';
import { predictionPayload } from './payload.js';
import type { AssetPrediction } from './predictor.js';

export type { MessageSink, PublisherCounters } from './outbox-drain.js';

const DRAIN_TICK_MS = 100;
/**
 * Messages handed to the MQTT client and not yet acknowledged (or written, at QoS 0). Each holds its
 * packet, mqtt.js's copy of it, its payload and a promise until then. The soak (bench/README.md)
 * measured about twice the prediction throughput with 4000 as with 1000, and a few MB more at peak.
 */
export const MAX_INFLIGHT = 4_000;
/** Held messages written to the outbox in one transaction (one fsync) at most. */
const HOLD_BATCH = 1_000;
/** A full outbox drops on every write in an overload: one warning per this long, with the count. */
const DROP_LOG_EVERY_MS = 30_000;

export class PredictionPublisher {
  readonly counters: PublisherCounters = { published: 0, queued: 0, dropped: 0, expired: 0, refused: 0 };
  private readonly template: TopicTemplate;
  private readonly drain: OutboxDrain;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private sink: MessageSink | null = null;
  private inflight = 0;
  /** Held messages not yet in the outbox: written together at the end of the turn. */
  private holding: OutboxMessage[] = [];
  /** Messages held since the last drain tick: the live stream, which the drain carries on top of outbox_rate. */
  private heldSinceTick = 0;
  private dropLog = { next: 0, dropped: 0 };

  constructor(
    private readonly options: {
      predictions: Config['predictions'];
      outbox: Outbox;
      log: Logger;
      clock?: () => number;
    },
  ) {
    this.template = parseTemplate(options.predictions.topic);
    this.drain = new OutboxDrain({
      outbox: options.outbox,
      send: (sink, m, expirySeconds) => this.send(sink, m, expirySeconds),
      room: () => MAX_INFLIGHT - this.inflight,
      writeHeld: () => this.writeHeld(),
      counters: this.counters,
      log: options.log,
      now: () => this.now(),
      ratePerSecond: options.predictions.outbox_rate,
    });
  }

  /** Where messages go from now on (the broker connection), or null: everything waits in the outbox. */
  attach(sink: MessageSink | null): void {
    this.sink = sink;
  }

  start(): void {
    this.timer = setInterval(() => {
      const arrived = this.heldSinceTick;
      this.heldSinceTick = 0;
      this.writeHeld();
      if (!this.stopped) this.drain.tick(this.sink, arrived, DRAIN_TICK_MS);
    }, DRAIN_TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.drain.tick(null, 0, DRAIN_TICK_MS);
    this.writeHeld(); // what is held survives a restart
  }

  topicFor(asset: string, line: string | null): string {
    return this.template.render({ asset, line: line ?? undefined });
  }

  publish(prediction: AssetPrediction): void {
    const { predictions } = this.options;
    const topic = this.topicFor(prediction.asset, prediction.line);
    const messages = predictionMessages(topic, predictionPayload(prediction), prediction.level, { qos: predictions.qos, scalars: predictions.scalars });
    const sink = this.sink;
    const waiting = this.drain.unsent() + this.holding.length;
    if (sink?.connected && waiting === 0 && this.inflight + messages.length <= MAX_INFLIGHT) {
      for (const m of messages) {
        this.send(sink, m, predictions.expiry / 1000).then(
          () => this.counters.published++,
          (error: unknown) => {
            if (refusedByBroker(error)) this.counters.refused++;
            else this.hold([m]); // the connection dropped under us: keep it for later
          },
        );
      }
      return;
    }
    this.hold(messages);
  }

  /** A publish counted in flight until the broker has it. */
  private async send(sink: MessageSink, m: Outgoing | OutboxMessage, expirySeconds: number): Promise<void> {
    this.inflight++;
    try {
      await sink.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain, expirySeconds });
    } finally {
      this.inflight--;
    }
  }

  private hold(messages: readonly Outgoing[]): void {
    const now = this.now();
    const { predictions } = this.options;
    for (const m of messages) {
      this.holding.push({ topic: m.topic, payload: m.payload, qos: m.qos, retain: m.retain, createdAt: now, expiresAt: now + predictions.expiry });
    }
    this.counters.queued += messages.length;
    this.heldSinceTick += messages.length;
    // One transaction for all a turn holds (a batch of predictions), not one fsync per message.
    if (this.holding.length >= HOLD_BATCH) this.writeHeld();
    else if (this.holding.length === messages.length) queueMicrotask(() => this.writeHeld());
  }

  private writeHeld(): void {
    if (this.holding.length === 0) return;
    const rows = this.holding;
    this.holding = [];
    const dropped = this.options.outbox.push(rows);
    if (dropped === 0) return;
    this.counters.dropped += dropped;
    this.dropLog.dropped += dropped;
    const now = this.now();
    if (now < this.dropLog.next) return;
    this.options.log.warn({ dropped: this.dropLog.dropped, bound: this.options.predictions.outbox_max }, 'outbox full: oldest held predictions dropped');
    this.dropLog = { next: now + DROP_LOG_EVERY_MS, dropped: 0 };
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}
