// The agent's parts and how each one starts, in order: store, retention, models, ingest, predictions,
// MQTT, Sparkplug, HTTP. Each phase builds on what the earlier ones put in the Runtime and returns
// how to stop itself. Wiring only: the parts themselves live in their own modules.
import type { EventEmitter } from 'node:events';
import type { Config } from './config/schema.js';
import { Metrics, type MetricsSnapshot } from './http/metrics.js';
import { startHttp, type Health } from './http/server.js';
import { Ingest } from './ingest/pipeline.js';
import type { Logger } from './log.js';
import { Connection } from './mqtt/connection.js';
import { PredictionPublisher } from './predict/publisher.js';
import { PredictError, PredictionService } from './predict/service.js';
import { metaStore } from './store/meta.js';
import type { SparkplugDecoder } from './sparkplug/decoder.js';
import type { SparkplugNode } from './sparkplug/edge-node.js';
import { openDatabase, type Db } from './store/db.js';
import { BatchWriter } from './store/ingest-batch.js';
import { ModelRegistry, type StoredModel } from './store/models.js';
import { Outbox } from './store/outbox.js';
import { startRetention } from './store/retention-loop.js';
import { startWalRelease, walBytes } from './store/wal-release.js';
import { readCounter } from './store/status.js';
import { usedBytes } from './store/retention.js';
import { startSchedule } from './train/schedule.js';
import { Trainer, type TrainReason, type TrainResult } from './train/trainer.js';

/** A started part of the agent. `stop` must not throw for a part that already failed. */
export interface Part {
  stop(): Promise<void> | void;
}

/** The shared state the phases build on, filled in as they start. */
export interface Runtime {
  config: Config;
  log: Logger;
  events: EventEmitter;
  metrics: Metrics;
  db?: Db;
  registry?: ModelRegistry;
  retrain?: (reason: TrainReason) => Promise<TrainResult>;
  ingest?: Ingest;
  predictions?: PredictionService;
  publisher?: PredictionPublisher;
  outbox?: Outbox;
  connection?: Connection;
  sparkplug?: SparkplugNode;
}

export interface Phase {
  name: string;
  /** Config sections whose change restarts this phase (and every later one). */
  sections: ReadonlyArray<keyof Config>;
  start(runtime: Runtime): Promise<Part> | Part;
}

export const modelTopic = (agentId: string): string => `faultline/${agentId}/model`;
export const retrainTopic = (agentId: string): string => `faultline/${agentId}/cmd/retrain`;

export const PHASES: readonly Phase[] = [
  {
    name: 'store',
    sections: ['storage'],
    start: (rt) => {
      const db = openDatabase(rt.config.storage.path, { sync: rt.config.storage.sync });
      rt.db = db;
      rt.outbox = new Outbox(db, rt.config.predictions.outbox_max * (rt.config.predictions.scalars ? 4 : 1));
      rt.log.info({ path: rt.config.storage.path, sync: rt.config.storage.sync }, 'buffer open');
      return {
        stop: () => {
          db.close();
          delete rt.db;
          delete rt.outbox;
        },
      };
    },
  },
  {
    name: 'retention',
    sections: ['storage'],
    start: (rt) => {
      const retention = startRetention(rt.db!, rt.config.storage, rt.log.child({ module: 'retention' }));
      const wal = startWalRelease(rt.db!, rt.config.storage.path);
      return {
        stop: () => {
          wal.stop();
          retention.stop();
        },
      };
    },
  },
  {
    name: 'models',
    sections: ['model', 'schedule'],
    start: (rt) => {
      const log = rt.log.child({ module: 'train' });
      const registry = new ModelRegistry(rt.db!);
      const trainer = new Trainer({ dbPath: rt.config.storage.path, registry, model: rt.config.model, log });
      rt.registry = registry;
      rt.retrain = async (reason) => {
        if (!trainer.running) rt.events.emit('training', reason);
        const result = await trainer.run(reason);
        rt.metrics.observeTraining(result.durationMs / 1000);
        if (result.status === 'trained') {
          log.info({ version: result.version, promoted: result.promoted, rmse: result.card.metrics.challenger.rmse, reason }, 'retrain finished');
          if (result.promoted) rt.predictions?.checkChampion();
        } else {
          log.warn({ status: result.status, reason, message: result.message }, 'retrain did not produce a model');
        }
        rt.events.emit('trained', result);
        return result;
      };
      const schedule = startSchedule(rt.config.schedule.retrain, () => void rt.retrain?.('schedule'));
      return {
        stop: async () => {
          schedule.stop();
          await trainer.stop();
          delete rt.retrain;
          delete rt.registry;
        },
      };
    },
  },
  {
    name: 'ingest',
    sections: ['telemetry', 'faults', 'ingest', 'agent', 'sparkplug'],
    start: async (rt) => {
      const ingest = new Ingest({
        sparkplug: await sparkplugDecoder(rt.config),
        config: rt.config,
        log: rt.log.child({ module: 'ingest' }),
        writer: new BatchWriter(rt.db!, rt.config.storage.dead_letters),
        commands: new Map([[retrainTopic(rt.config.agent.id), () => void rt.retrain?.('command')]]),
        requestRebirth: (topic, payload) => void rt.connection?.publish(topic, payload, { qos: 0 }).catch(() => undefined),
      });
      rt.ingest = ingest;
      return {
        stop: () => {
          ingest.stop();
          delete rt.ingest;
        },
      };
    },
  },
  {
    name: 'predictions',
    sections: ['predictions', 'model'],
    start: (rt) => {
      const log = rt.log.child({ module: 'predict' });
      const service = new PredictionService({ config: rt.config, log, db: rt.db!, registry: rt.registry! });
      const publisher = new PredictionPublisher({ predictions: rt.config.predictions, sink: () => rt.connection, outbox: rt.outbox!, log });
      service.on('prediction', (prediction) => {
        publisher.publish(prediction);
        rt.sparkplug?.publishPrediction(prediction.asset, { prediction: prediction.prediction, level: prediction.level, modelVersion: prediction.modelVersion });
        rt.events.emit('prediction', prediction);
      });
      service.on('model', (model: StoredModel) => {
        publishCard(rt, model);
        rt.sparkplug?.updateNodeMetrics({ modelVersion: model.version, rmse: model.params.rmse ?? undefined });
        rt.events.emit('model', model);
      });
      const unsubscribe = rt.ingest!.onCommit((batch) => service.onBatch(batch));
      rt.predictions = service;
      rt.publisher = publisher;
      service.start();
      publisher.start();
      return {
        stop: () => {
          unsubscribe();
          service.stop();
          publisher.stop();
          delete rt.predictions;
          delete rt.publisher;
        },
      };
    },
  },
  {
    name: 'mqtt',
    sections: ['agent', 'mqtt'],
    start: (rt) => {
      const ingest = rt.ingest!;
      const connection = new Connection({
        config: rt.config,
        log: rt.log.child({ module: 'mqtt' }),
        subscriptions: ingest.subscriptions(),
        onMessage: (message) => ingest.handle(message),
        backpressure: () => ingest.backpressure(),
        beforeDisconnect: () => ingest.flush(),
        // The retained card goes out again on every connection: a restarted broker may have lost it.
        onConnected: () => {
          const champion = rt.predictions?.champion;
          if (champion) publishCard(rt, champion);
        },
      });
      rt.connection = connection;
      connection.start();
      return {
        stop: async () => {
          await connection.stop();
          delete rt.connection;
        },
      };
    },
  },
  {
    name: 'sparkplug',
    sections: ['sparkplug', 'agent', 'mqtt'],
    start: async (rt) => {
      if (!rt.config.sparkplug.enabled) return { stop: () => undefined };
      // Loaded only when used: protobufjs and the schema take about 12 MB.
      const { SparkplugNode } = await import('./sparkplug/edge-node.js');
      const node = new SparkplugNode({
        config: rt.config,
        log: rt.log.child({ module: 'sparkplug' }),
        store: metaStore(rt.db!),
        // Read at every birth (a rebirth too) and every 30 s for NDATA, so a birth carries current values.
        node: () => ({
          modelVersion: rt.predictions?.champion?.version ?? null,
          rmse: rt.predictions?.champion?.params.rmse ?? null,
          readingsStored: readCounter(rt.db!, 'readings'),
        }),
      });
      node.start();
      rt.sparkplug = node;
      return {
        stop: async () => {
          delete rt.sparkplug;
          await node.stop();
        },
      };
    },
  },
  {
    name: 'http',
    sections: ['http'],
    start: async (rt) => {
      if (rt.config.http.listen === 'off') return { stop: () => undefined };
      const server = await startHttp({
        listen: rt.config.http.listen,
        maxBody: rt.config.http.max_body,
        log: rt.log.child({ module: 'http' }),
        metrics: rt.metrics,
        health: () => health(rt),
        predict: (request) => {
          const service = rt.predictions;
          if (!service) throw new PredictError('the agent is restarting', 503);
          return request.kind === 'buffered' ? service.predictBuffered(request.asset) : service.predictGiven(request.asset, request.line, request.rows);
        },
      });
      return { stop: () => server.close() };
    },
  },
];

/** A decoder when some telemetry is Sparkplug; loaded only then (protobufjs and the schema: ~12 MB). */
async function sparkplugDecoder(config: Config): Promise<SparkplugDecoder | undefined> {
  if (!config.telemetry.some((t) => t.format === 'sparkplug')) return undefined;
  const { SparkplugDecoder } = await import('./sparkplug/decoder.js');
  const { sparkplug, agent } = config;
  // faultline's own Sparkplug output must not come back in as telemetry.
  return new SparkplugDecoder({ ownNode: sparkplug.enabled ? { group: sparkplug.group_id, node: sparkplug.edge_node_id ?? agent.id } : null });
}

function publishCard(rt: Runtime, model: StoredModel): void {
  const connection = rt.connection;
  if (!connection?.connected) return; // sent on the next connection instead
  connection.publish(modelTopic(rt.config.agent.id), JSON.stringify(model.card), { qos: 1, retain: true }).catch(() => undefined);
}

function health(rt: Runtime): Health {
  const connected = rt.connection?.connected ?? false;
  const stalled = rt.ingest?.stalled;
  const db = !rt.db ? 'closed' : stalled ? `error: cannot write since ${new Date(stalled.since).toISOString()}` : 'ok';
  const last = rt.ingest?.counters.lastReadingAt ?? null;
  return {
    healthy: connected && db === 'ok',
    mqtt: connected ? 'connected' : 'disconnected',
    db,
    last_reading_age_s: last === null ? null : Math.round((Date.now() - last) / 100) / 10,
    model: rt.predictions?.champion?.version ?? null,
  };
}

/** What /metrics reports, read at scrape time. */
export function metricsSnapshot(rt: Runtime): MetricsSnapshot {
  const db = rt.db;
  const ingest = rt.ingest?.counters;
  return {
    readingsStored: db ? readCounter(db, 'readings_stored_total') : (ingest?.readingsStored ?? 0),
    rejected: rejectedByReason(db),
    predictionsPublished: rt.publisher?.counters.published ?? 0,
    bufferRows: db ? readCounter(db, 'readings') : 0,
    bufferBytes: db ? usedBytes(db) : 0,
    walBytes: db ? walBytes(db.name) : 0,
    modelRmseSeconds: rt.predictions?.champion?.params.rmse ?? null,
    mqttConnected: rt.connection?.connected ?? false,
    outboxRows: rt.outbox?.count() ?? 0,
    outboxDropped: db ? readCounter(db, 'outbox_dropped') : 0,
  };
}

function rejectedByReason(db: Db | undefined): Map<string, number> {
  if (!db) return new Map();
  const rows = db.prepare("SELECT name, value FROM counters WHERE name LIKE 'rejected:%'").all() as Array<{ name: string; value: number }>;
  return new Map(rows.map((r) => [r.name.slice('rejected:'.length), r.value]));
}
