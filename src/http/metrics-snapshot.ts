// What /metrics reports, read from the running parts at scrape time.
import type { Connection } from '../mqtt/connection.js';
import type { PredictionPublisher } from '../predict/prediction-publisher.js';
import type { PredictionService } from '../predict/service.js';
import type { Db } from '../store/db.js';
import type { Outbox } from '../store/outbox.js';
import { usedBytes } from '../store/retention.js';
import { readCounter, rejectedByReason } from '../store/status.js';
import { walBytes } from '../store/wal-release.js';
import type { LiveState } from './live-state.js';
import type { AssetMetrics, MetricsSnapshot } from './metrics.js';

export interface MetricsSources {
  readonly db: Db;
  readonly connection: Pick<Connection, 'connected' | 'failedSends'>;
  readonly predictions: Pick<PredictionService, 'champion'>;
  readonly publisher: Pick<PredictionPublisher, 'counters'>;
  readonly outbox: Pick<Outbox, 'count'>;
  readonly live: Pick<LiveState, 'list'>;
  readonly buildVersion: string;
}

export function metricsSnapshot({ db, connection, predictions, publisher, outbox, live, buildVersion }: MetricsSources): MetricsSnapshot {
  const assets: AssetMetrics[] = [];
  for (const { asset, line, prediction } of live.list()) {
    if (prediction) assets.push({ asset, line, risk: prediction.prediction.risk, timeToFaultS: prediction.prediction.timeToFaultS, level: prediction.level });
  }
  return {
    readingsStored: readCounter(db, 'readings_stored_total'),
    rejected: rejectedByReason(db),
    predictionsPublished: publisher.counters.published,
    bufferRows: readCounter(db, 'readings'),
    bufferBytes: usedBytes(db),
    walBytes: walBytes(db.name),
    modelRmseSeconds: predictions.champion?.params.rmse ?? null,
    mqttConnected: connection.connected,
    publishFailures: connection.failedSends,
    outboxRows: outbox.count(),
    outboxDropped: readCounter(db, 'outbox_dropped'),
    buildVersion,
    modelVersion: predictions.champion?.version ?? null,
    assets,
  };
}
