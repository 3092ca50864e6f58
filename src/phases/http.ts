// The HTTP phase: /healthz, /metrics and POST /v1/predict on `http.listen`, read from the running parts.
import { packageVersion } from '../cli/version.js';
import { health } from '../http/health.js';
import { metricsSnapshot } from '../http/metrics-snapshot.js';
import { startHttp } from '../http/server.js';
import type { Phase } from '../lifecycle.js';
import { stopOnly } from '../lifecycle.js';
import type { Base } from './base.js';
import type { IngestParts } from './ingest.js';
import type { MqttParts } from './mqtt.js';
import type { PredictionParts } from './predictions.js';
import type { RecordParts } from './record.js';
import type { StoreParts } from './store.js';

export const httpPhase: Phase<Base & StoreParts & IngestParts & PredictionParts & MqttParts & RecordParts, object> = {
  name: 'http',
  sections: ['http'],
  start: async (parts) => {
    const { config, log, metrics, predictions } = parts;
    if (config.http.listen === 'off') return stopOnly(() => undefined);
    const buildVersion = packageVersion();
    const server = await startHttp({
      listen: config.http.listen,
      maxBody: config.http.max_body,
      log: log.child({ module: 'http' }),
      metrics,
      snapshot: () => metricsSnapshot({ ...parts, buildVersion }),
      health: () => health(parts, Date.now()),
      predict: (request) => (request.kind === 'buffered' ? predictions.predictBuffered(request.asset) : predictions.predictGiven(request.asset, request.line, request.rows)),
    });
    return stopOnly(() => server.close());
  },
};
