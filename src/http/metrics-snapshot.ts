// What /metrics reports, read from the running parts at scrape time.
import type { Connection } from '../mqtt/connection.js';
import type { PredictionPublisher } from '../predict/prediction-publisher.js';
import type { PredictionService } from '../predict/service.js';
import type { Db } from '../store/db.js';
import type { Outbox } from '../store/outbox.js';
import { usedBytes } from '../store/retention.js';
import type { FleetMembers } from '../store/fleet-members.js';
import { fleetMessages, readCounter, rejectedByReason } from '../store/status.js';
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
  /** The fleet this agent learns from and its stored members, or null. */
  readonly fleet: { readonly id: string; readonly members: Pick<FleetMembers, 'count'> } | null;
}

export function metricsSnapshot({ db, connection, predictions, publisher, outbox, live, buildVersion, fleet }: MetricsSources): MetricsSnapshot {
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
    fleet: fleet === null ? null : { members: fleet.members.count(fleet.id), ...fleetMessages(db) },
  };
}
