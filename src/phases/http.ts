// The HTTP phase: the status page, /healthz, /metrics and POST /v1/predict on `http.listen`, read
// from the running parts, behind http.token_file's token when it is set.
import { packageVersion } from '../cli/version.js';
import { readToken } from '../config/files.js';
import { health } from '../http/health.js';
import { LiveStream } from '../http/live-stream.js';
import { metricsSnapshot } from '../http/metrics-snapshot.js';
import { HISTORY_SPAN_MS, pageStatus } from '../http/page-data.js';
import { MAX_STREAMS } from '../http/page-routes.js';
import { startHttp } from '../http/server.js';
import { loadStaticFiles } from '../http/static-files.js';
import type { Phase } from '../lifecycle.js';
import { FleetMembers } from '../store/fleet-members.js';
import { PredictionHistory } from '../store/prediction-history.js';
import { RecentHistory } from '../store/recent.js';
import type { Base } from './base.js';
import type { IngestParts } from './ingest.js';
import type { ModelParts } from './models.js';
import type { MqttParts } from './mqtt.js';
import type { PredictionParts } from './predictions.js';
import type { RecordParts } from './record.js';
import type { StoreParts } from './store.js';

/** Live updates reach the page within this (the issue asks for two seconds from a prediction). */
const FLUSH_MS = 250;
const TICK_MS = 2_000;
const STUCK_MS = 30_000;

export interface HttpParts {
  /** Where the endpoint listens (port 0 in the config picks a free one); null when http.listen is off. */
  readonly http: { readonly port: number } | null;
}

export const httpPhase: Phase<Base & StoreParts & IngestParts & PredictionParts & MqttParts & RecordParts & Pick<ModelParts, 'nextRetrain'>, HttpParts> = {
  name: 'http',
  sections: ['http'],
  start: async (parts) => {
    const { config, log, metrics, events, db, predictions, connection, live, nextRetrain } = parts;
    if (config.http.listen === 'off') return { parts: { http: null }, stop: () => undefined };
    const token = config.http.token_file === null ? null : readToken(config.http.token_file);
    if (token !== null && typeof token !== 'string') throw new Error(`http.token_file: ${token.problem}`);
    const buildVersion = packageVersion();
    // Statements prepared once, not per request: a page loads one history per asset.
    const history = new PredictionHistory(db);
    const recent = new RecentHistory(db);
    const fleet = config.fleet.learn && config.fleet.id !== null ? { id: config.fleet.id, members: new FleetMembers(db) } : null;
    const stream = new LiveStream({
      maxClients: MAX_STREAMS,
      flushMs: FLUSH_MS,
      tickMs: TICK_MS,
      stuckMs: STUCK_MS,
      tick: () => ({
        now: Date.now(),
        readings_per_s: live.readingsPerSecond(),
        mqtt_connected: connection.connected,
        seen: Object.fromEntries(live.list().map((a) => [a.asset, a.seenAt])),
      }),
    });
    const server = await startHttp({
      listen: config.http.listen,
      maxBody: config.http.max_body,
      log: log.child({ module: 'http' }),
      metrics,
      snapshot: () => metricsSnapshot({ ...parts, buildVersion, fleet }),
      health: () => health(parts, Date.now()),
      predict: (request) => (request.kind === 'buffered' ? predictions.predictBuffered(request.asset) : predictions.predictGiven(request.asset, request.line, request.rows)),
      token,
      page: {
        files: loadStaticFiles(),
        status: () => pageStatus({ config, db, live, connection, predictions, nextRetrain, buildVersion, bufferedAssets: () => recent.assets() }, Date.now()),
        history: (asset) => history.recent(asset, HISTORY_SPAN_MS),
        stream,
      },
    });
    const unsubscribe = live.subscribe((change) => stream.change(change));
    // A new champion, or a retrain that was not promoted: the page reloads its card and version history.
    const reload = (): void => stream.changed();
    events.on('model', reload);
    events.on('trained', reload);
    stream.start();
    return {
      parts: { http: { port: server.port } },
      stop: async () => {
        events.off('model', reload);
        events.off('trained', reload);
        unsubscribe();
        stream.stop();
        await server.close();
      },
    };
  },
};
