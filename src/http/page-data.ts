// What the status page loads first: one snapshot of the agent (GET /api/status), read from the
// running parts and the buffer; plain JSON whose strings the page renders as text.
import type { Config } from '../config/schema.js';
import { predictionPayload, type PredictionPayload } from '../predict/payload.js';
import type { PredictionService } from '../predict/service.js';
import type { Db } from '../store/db.js';
import { listDeadLetters, payloadText } from '../store/dead-letters.js';
import { modelHistory, type VersionSummary } from '../store/model-history.js';
import type { BufferedAsset } from '../store/recent.js';
import { readStatus, rejectedByReason, type BufferStatus } from '../store/status.js';
import type { ModelCard } from '../train/card.js';
import type { LiveState } from './live-state.js';

/** The plots span a day of event time, as the issue asks. */
export const HISTORY_SPAN_MS = 24 * 3600_000;
const DEAD_LETTERS_SHOWN = 10;
const PAYLOAD_BYTES_SHOWN = 64;
const VERSIONS_SHOWN = 50;

export interface PageSources {
  readonly config: Config;
  readonly db: Db;
  readonly live: Pick<LiveState, 'list' | 'readingsPerSecond'>;
  readonly connection: { readonly connected: boolean };
  readonly predictions: Pick<PredictionService, 'champion' | 'whyNot'>;
  readonly nextRetrain: () => number | null;
  readonly buildVersion: string;
  /** Every asset the buffer knows (store/recent.ts, its statements prepared once). */
  readonly bufferedAssets: () => BufferedAsset[];
}

export interface PageAsset {
  asset: string;
  line: string | null;
  prediction: PredictionPayload | null;
  /** Wall time its last reading was stored (since the agent started), or null. */
  seen_at: number | null;
  /** Why it has no prediction, while it has none. */
  waiting: string | null;
}

export interface PageStatus {
  now: number;
  agent: { id: string; version: string };
  broker: { url: string; connected: boolean };
  levels: { warning: number; alarm: number };
  schedule: { retrain: string; next_retrain: number | null };
  buffer: Omit<BufferStatus, 'model' | 'track_record' | 'last_training'>;
  ingest: {
    readings_per_s: number | null;
    rejected: Record<string, number>;
    dead_letters: Array<{ received_at: number; topic: string; reason: string; detail: string | null; payload_bytes: number; payload_text: string }>;
  };
  model: ModelCard | null;
  models: VersionSummary[];
  last_training: BufferStatus['last_training'];
  assets: PageAsset[];
  track_record: BufferStatus['track_record'];
}

export function pageStatus(s: PageSources, now: number): PageStatus {
  // The status' model summary is left out: the card below says more.
  const { model, track_record, last_training, ...buffer } = readStatus(s.db);
  const champion = s.predictions.champion;
  return {
    now,
    agent: { id: s.config.agent.id, version: s.buildVersion },
    broker: { url: withoutCredentials(s.config.mqtt.url), connected: s.connection.connected },
    levels: { warning: s.config.predictions.levels.warning, alarm: s.config.predictions.levels.alarm },
    schedule: { retrain: s.config.schedule.retrain, next_retrain: s.nextRetrain() },
    buffer,
    ingest: {
      readings_per_s: s.live.readingsPerSecond(),
      rejected: Object.fromEntries(rejectedByReason(s.db)),
      dead_letters: listDeadLetters(s.db, { limit: DEAD_LETTERS_SHOWN }).map((d) => ({
        received_at: d.received_at,
        topic: d.topic,
        reason: d.reason,
        detail: d.detail,
        payload_bytes: d.payload_bytes,
        payload_text: payloadText(d.payload, PAYLOAD_BYTES_SHOWN),
      })),
    },
    model: champion?.card ?? null,
    models: modelHistory(s.db, VERSIONS_SHOWN),
    last_training,
    assets: pageAssets(s),
    track_record,
  };
}

/** Every asset the buffer knows, with what the agent has seen of it since it started; by line, then name. */
function pageAssets(s: PageSources): PageAsset[] {
  const live = new Map(s.live.list().map((a) => [a.asset, a]));
  const known = new Map<string, string | null>(s.bufferedAssets().map((a) => [a.name, a.line]));
  for (const a of live.values()) if (!known.has(a.asset)) known.set(a.asset, a.line);
  return [...known]
    .map(([asset, line]) => {
      const a = live.get(asset);
      const prediction = a?.prediction ?? null;
      return {
        asset,
        line,
        prediction: prediction ? predictionPayload(prediction) : null,
        seen_at: a?.seenAt ?? null,
        waiting: prediction ? null : s.predictions.whyNot(asset),
      };
    })
    .sort((a, b) => (a.line ?? '').localeCompare(b.line ?? '') || a.asset.localeCompare(b.asset));
}

/** The broker's address without a user or password that the URL may carry. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
