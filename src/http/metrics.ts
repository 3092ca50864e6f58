// Prometheus metrics (the contract's names, prefixed faultline_) on a registry of our own, filled
// from a snapshot of the agent at scrape time. The only importer of prom-client.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsSnapshot {
  readingsStored: number;
  rejected: ReadonlyMap<string, number>;
  predictionsPublished: number;
  bufferRows: number;
  bufferBytes: number;
  walBytes: number;
  modelRmseSeconds: number | null;
  mqttConnected: boolean;
  /** Status, card and rebirth messages that did not reach the broker (each is sent again later). */
  publishFailures: number;
  outboxRows: number;
  outboxDropped: number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly training: Histogram;
  /** Taken once per scrape and shared by every collector. */
  private current: MetricsSnapshot | null = null;

  constructor() {
    const r = [this.registry];
    const now = (): MetricsSnapshot => {
      if (this.current === null) throw new Error('metrics are collected only through text(snapshot)');
      return this.current;
    };

    // Counters kept by the agent: set to its total at each scrape.
    const total = (name: string, help: string, value: (s: MetricsSnapshot) => number) =>
      new Counter({
        name,
        help,
        registers: r,
        collect() {
          this.reset();
          this.inc(value(now()));
        },
      });
    total('faultline_readings_stored_total', 'Readings written to the buffer (duplicates not counted).', (s) => s.readingsStored);
    total('faultline_predictions_published_total', 'Prediction messages delivered to the broker.', (s) => s.predictionsPublished);
    total('faultline_outbox_dropped_total', 'Held prediction messages dropped because the outbox was full.', (s) => s.outboxDropped);
    total('faultline_publish_failures_total', 'Status, model card and rebirth messages that did not reach the broker; each is sent again later.', (s) => s.publishFailures);
    new Counter({
      name: 'faultline_readings_rejected_total',
      help: 'Messages rejected, by reason; each is kept as a dead letter.',
      labelNames: ['reason'],
      registers: r,
      collect() {
        this.reset();
        for (const [reason, n] of now().rejected) this.inc({ reason }, n);
      },
    });
    const gauge = (name: string, help: string, value: (s: MetricsSnapshot) => number | null) =>
      new Gauge({
        name,
        help,
        registers: r,
        collect() {
          const v = value(now());
          if (v === null) this.reset();
          else this.set(v);
        },
      });
    gauge('faultline_buffer_rows', 'Readings in the buffer.', (s) => s.bufferRows);
    gauge('faultline_buffer_bytes', 'Bytes the buffer uses on disk.', (s) => s.bufferBytes);
    gauge('faultline_wal_bytes', "Bytes of the buffer's write-ahead log on disk.", (s) => s.walBytes);
    gauge('faultline_model_rmse_seconds', "Serving model's RMSE on its held-out test episodes.", (s) => s.modelRmseSeconds);
    gauge('faultline_mqtt_connected', '1 while connected to the broker.', (s) => (s.mqttConnected ? 1 : 0));
    gauge('faultline_outbox_rows', 'Prediction messages waiting for the broker.', (s) => s.outboxRows);
    this.training = new Histogram({
      name: 'faultline_training_duration_seconds',
      help: 'Duration of training runs.',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: r,
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'faultline_' });
  }

  observeTraining(seconds: number): void {
    this.training.observe(seconds);
  }

  /** The exposition text, every agent metric read from `snapshot`. */
  async text(snapshot: MetricsSnapshot): Promise<string> {
    this.current = snapshot;
    try {
      return await this.registry.metrics();
    } finally {
      this.current = null;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
