// Publishes predictions to their MQTT topics. While the broker is away, or while older predictions
// still wait, new ones go to the SQLite outbox, which drains in order at a bounded rate once the
// broker is back. Expired predictions are dropped and counted: SCADA must not act on stale values.
import type { Config } from '../config/schema.js';
import { errorCode } from '../error-message.js';
import type { Logger } from '../log.js';
import type { Outbox, OutboxMessage } from '../store/outbox.js';
import { predictionMessages, type Outgoing } from '../topics/contract.js';
import { parseTemplate, type TopicTemplate } from '../topics/patterns.js';
import { predictionPayload } from './payload.js';
import type { AssetPrediction } from './predictor.js';

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

const DRAIN_TICK_MS = 100;

export class PredictionPublisher {
  readonly counters: PublisherCounters = { published: 0, queued: 0, dropped: 0, expired: 0, refused: 0 };
  private readonly template: TopicTemplate;
  private timer: NodeJS.Timeout | null = null;
  private draining = false;
  private stopped = false;
  private sink: MessageSink | null = null;

  constructor(
    private readonly options: {
      predictions: Config['predictions'];
      outbox: Outbox;
      log: Logger;
      clock?: () => number;
    },
  ) {
    this.template = parseTemplate(options.predictions.topic);
  }

  /** Where messages go from now on (the broker connection), or null: everything waits in the outbox. */
  attach(sink: MessageSink | null): void {
    this.sink = sink;
  }

  start(): void {
    this.timer = setInterval(() => void this.drain(), DRAIN_TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  topicFor(asset: string, line: string | null): string {
    return this.template.render({ asset, line: line ?? undefined });
  }

  publish(prediction: AssetPrediction): void {
    const { predictions } = this.options;
    const topic = this.topicFor(prediction.asset, prediction.line);
    const messages = predictionMessages(topic, predictionPayload(prediction), prediction.level, { qos: predictions.qos, scalars: predictions.scalars });
    const sink = this.sink;
    if (sink?.connected && this.options.outbox.count() === 0) {
      for (const m of messages) {
        sink.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain, expirySeconds: predictions.expiry / 1000 }).then(
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

  private hold(messages: readonly Outgoing[]): void {
    const now = this.now();
    const { predictions } = this.options;
    const rows: OutboxMessage[] = messages.map((m) => ({
      topic: m.topic,
      payload: m.payload,
      qos: m.qos,
      retain: m.retain,
      createdAt: now,
      expiresAt: now + predictions.expiry,
    }));
    const dropped = this.options.outbox.push(rows);
    this.counters.queued += rows.length;
    if (dropped > 0) {
      this.counters.dropped += dropped;
      this.options.log.warn({ dropped, bound: predictions.outbox_max }, 'outbox full: oldest held predictions dropped');
    }
  }

  /** Sends held messages in order, at most `outbox_rate` per second, while connected. */
  private async drain(): Promise<void> {
    const sink = this.sink;
    if (this.draining || this.stopped || !sink?.connected) return;
    this.draining = true;
    try {
      const { predictions, outbox } = this.options;
      const budget = Math.max(1, Math.round((predictions.outbox_rate * DRAIN_TICK_MS) / 1000));
      const batch = outbox.head(budget);
      if (batch.length === 0) return;
      const now = this.now();
      const fresh = batch.filter((m) => m.expiresAt > now);
      // Calls go out in order; mqtt.js keeps that order on the wire.
      const results = await Promise.allSettled(
        fresh.map((m) => sink.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain, expirySeconds: (m.expiresAt - now) / 1000 })),
      );
      // A refused message would be refused again: drop it (counted; the connection logs why). A
      // lost connection stops the batch there; the rest is sent again, in order, later.
      const lost = results.findIndex((r) => r.status === 'rejected' && !refusedByBroker(r.reason));
      const upTo = lost < 0 ? batch[batch.length - 1]!.id : fresh[lost]!.id - 1;
      outbox.removeThrough(upTo);
      for (const r of lost < 0 ? results : results.slice(0, lost)) {
        if (r.status === 'fulfilled') this.counters.published++;
        else this.counters.refused++;
      }
      const expired = batch.filter((m) => m.id <= upTo && m.expiresAt <= now).length;
      if (expired > 0) {
        this.counters.expired += expired;
        this.options.log.info({ expired }, 'held predictions expired before the broker came back; dropped');
      }
    } catch (error) {
      this.options.log.debug({ err: error }, 'outbox drain interrupted; will retry');
    } finally {
      this.draining = false;
    }
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}

/** An MQTT 5 reason code from the broker (PUBACK ≥ 0x80): the message itself is refused, not lost. */
function refusedByBroker(error: unknown): boolean {
  const code = errorCode(error);
  return typeof code === 'number' && code >= 0x80;
}
