// What GET /healthz answers: healthy while the broker is connected and the buffer takes writes.
import type { Ingest } from '../ingest/pipeline.js';
import type { PredictionService } from '../predict/service.js';

export interface Health {
  healthy: boolean;
  mqtt: 'connected' | 'disconnected';
  db: string;
  last_reading_age_s: number | null;
  model: string | null;
}

export interface HealthSources {
  readonly connection: { readonly connected: boolean };
  readonly ingest: Pick<Ingest, 'stalled' | 'counters'>;
  readonly predictions: Pick<PredictionService, 'champion'>;
}

export function health({ connection, ingest, predictions }: HealthSources, now: number): Health {
  const connected = connection.connected;
  const stalled = ingest.stalled;
  const db = stalled ? `error: cannot write since ${new Date(stalled.since).toISOString()}` : 'ok';
  const last = ingest.counters.lastReadingAt;
  return {
    healthy: connected && db === 'ok',
    mqtt: connected ? 'connected' : 'disconnected',
    db,
    last_reading_age_s: last === null ? null : Math.round((now - last) / 100) / 10,
    model: predictions.champion?.version ?? null,
  };
}
