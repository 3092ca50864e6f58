// Prometheus metrics (the contract's names, prefixed faultline_) on a registry of our own, filled
// from a snapshot of the agent at scrape time, beside the process and runtime metrics under their
// standard names (process_*, nodejs_*). The only importer of prom-client.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TrackEvent } from '../predict/track-record.js';

/** One asset's latest prediction, for the per-asset gauges. */
export interface AssetMetrics {
  asset: string;
  line: string | null;
  risk: number;
  timeToFaultS: number;
  level: number;
}

/**
 * prom-client's defaults include three gauges named like counters, which `promtool check metrics`
 * flags. Each repeats the sum of its labelled twin (nodejs_active_handles{type} and so on), and
 * prom-client's maintainers mean to delete them (prometheus/client_js#283), so they are left out.
 */
const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Lead times of warnings before faults: a minute to a day; the horizon is usually hours. */
const LEAD_TIME_BUCKETS = [60, 300, 600, 900, 1800, 2700, 3600, 5400, 7200, 14400, 43200, 86400];

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
  /** The agent's own version (package.json), for faultline_build_info. */
  buildVersion: string;
  /** The serving model's version, or null before the first one. */
  modelVersion: string | null;
  assets: readonly AssetMetrics[];
  /** Messages on the fleet's statistics topics and the members kept; null unless this agent learns from a fleet. */
  fleet: FleetMetrics | null;
}

export interface FleetMetrics {
  readonly members: number;
  readonly accepted: number;
  readonly cleared: number;
  readonly rejected: ReadonlyMap<string, number>;
}

/**
 * A gauge without labels that has no sample while its value is null: a value that does not exist yet
 * (the RMSE before a first model) is absent, not 0. prom-client's own gauge always reports one.
 */
class OptionalGauge extends Gauge {
  constructor(
    configuration: { name: string; help: string; registers: Registry[] },
    private readonly read: () => number | null,
  ) {
    super(configuration);
  }

  override async get(): ReturnType<Gauge['get']> {
    const value = this.read();
    if (value !== null) this.set(value);
    const metric = await super.get();
    return value === null ? { ...metric, values: [] } : metric;
  }
}

export class Metrics {
  readonly registry = new Registry();
  private readonly training: Histogram;
  private readonly leadTime: Histogram<'level'>;
  private readonly missed: Counter<'level'>;
  private readonly falseAlarms: Counter;
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
    // Issue 15: one counter by result, with the reason of each refusal (FLEET_DEFECTS: a fixed set of labels).
    new Counter({
      name: 'faultline_fleet_messages_total',
      help: 'Messages on the fleet statistics topics, by result: accepted, cleared (a member left), rejected (by reason; kept as a dead letter).',
      labelNames: ['result', 'reason'],
      registers: r,
      collect() {
        this.reset();
        const fleet = now().fleet;
        if (fleet === null) return;
        this.inc({ result: 'accepted' }, fleet.accepted);
        this.inc({ result: 'cleared' }, fleet.cleared);
        for (const [reason, n] of fleet.rejected) this.inc({ result: 'rejected', reason }, n);
      },
    });
    const gauge = (name: string, help: string, value: (s: MetricsSnapshot) => number | null) => new OptionalGauge({ name, help, registers: r }, () => value(now()));
    gauge('faultline_fleet_members', "Fleet members whose latest statistics are kept for the next retrain; absent unless fleet.learn.", (s) => s.fleet?.members ?? null);
    gauge('faultline_buffer_rows', 'Readings in the buffer.', (s) => s.bufferRows);
    gauge('faultline_buffer_bytes', 'Bytes the buffer uses on disk.', (s) => s.bufferBytes);
    gauge('faultline_wal_bytes', "Bytes of the buffer's write-ahead log on disk.", (s) => s.walBytes);
    gauge('faultline_model_rmse_seconds', "Serving model's RMSE on its held-out test episodes.", (s) => s.modelRmseSeconds);
    gauge('faultline_mqtt_connected', '1 while connected to the broker.', (s) => (s.mqttConnected ? 1 : 0));
    gauge('faultline_outbox_rows', 'Prediction messages waiting for the broker.', (s) => s.outboxRows);
    gauge('faultline_model_version', "The serving model's version; absent before the first model.", (s) => (s.modelVersion !== null && /^\d+$/.test(s.modelVersion) ? Number(s.modelVersion) : null));
    new Gauge({
      name: 'faultline_build_info',
      help: "Always 1; the label names this faultline's version.",
      labelNames: ['version'],
      registers: r,
      collect() {
        this.reset();
        this.set({ version: now().buildVersion }, 1);
      },
    });
    // Asset and line names come from MQTT topics: prom-client escapes them in label values.
    const perAsset = (name: string, help: string, value: (a: AssetMetrics) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['asset', 'line'],
        registers: r,
        collect() {
          this.reset();
          for (const a of now().assets) this.set({ asset: a.asset, line: a.line ?? '' }, value(a));
        },
      });
    perAsset('faultline_asset_risk', "Risk of the asset's latest prediction: 1 - time to fault / horizon.", (a) => a.risk);
    perAsset('faultline_asset_time_to_fault_seconds', "Predicted time to fault of the asset's latest prediction.", (a) => a.timeToFaultS);
    perAsset('faultline_asset_level', "Level of the asset's latest prediction: 0 ok, 1 warning, 2 alarm.", (a) => a.level);
    this.training = new Histogram({
      name: 'faultline_training_duration_seconds',
      help: 'Duration of training runs.',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: r,
    });
    // The live track record, counted as it is settled (since the agent started; the buffer keeps the rest).
    this.leadTime = new Histogram({
      name: 'faultline_fault_lead_time_seconds',
      help: 'Time from the first warning (level="warning") or alarm (level="alarm") in the horizon before a fault to the fault.',
      labelNames: ['level'],
      buckets: LEAD_TIME_BUCKETS,
      registers: r,
    });
    this.missed = new Counter({
      name: 'faultline_faults_missed_total',
      help: 'Faults with no warning (level="warning") or no alarm (level="alarm") in the horizon before them.',
      labelNames: ['level'],
      registers: r,
    });
    this.falseAlarms = new Counter({ name: 'faultline_false_alarms_total', help: 'Alarms whose horizon passed with no fault.', registers: r });
    for (const level of ['warning', 'alarm'] as const) {
      this.leadTime.zero({ level });
      this.missed.inc({ level }, 0);
    }
    collectDefaultMetrics({ register: this.registry });
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) this.registry.removeSingleMetric(name);
  }

  observeTrackRecord(event: TrackEvent): void {
    if (event.kind === 'false_alarm') {
      this.falseAlarms.inc();
      return;
    }
    for (const [level, lead] of [['warning', event.warningLeadS], ['alarm', event.alarmLeadS]] as const) {
      if (lead === null) this.missed.inc({ level });
      else this.leadTime.observe({ level }, lead);
    }
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
