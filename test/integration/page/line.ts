// A running agent for the status page's tests: an embedded broker, a buffer with a serving model
// (the hand model of test/helpers/model.ts, with a full card, and a rejected version before it),
// the page on a free loopback port, and a synthetic line published as telemetry and faults.
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { startBroker } from '../../../src/demo/broker.js';
import { openDatabase } from '../../../src/store/db.js';
import { ModelRegistry } from '../../../src/store/models.js';
import type { ModelCard } from '../../../src/train/card.js';
import { connectClient, type TestBroker } from '../../helpers/brokers.js';
import { startAgent, type AgentProcess } from '../../helpers/cli.js';
import { writeConfig, type ConfigTree } from '../../helpers/config.js';
import { HAND_MODEL_HORIZON_S, handModel } from '../../helpers/model.js';
import { freePort } from '../../helpers/ports.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { ingestConfig } from '../ingest/agent.js';

export const MINUTE = 60_000;

/** The hand model's risk at a mean temperature: 1 − (7200 − 288·(t − 60)) / 7200. */
export const riskAt = (temperature: number): number => Math.min(1, Math.max(0, (288 * (temperature - 60)) / HAND_MODEL_HORIZON_S));

/** A card as the trainer writes one, for the hand model, with the metrics a technician reads. */
export function handCard(version: string | null, promoted: boolean, rmse: number): ModelCard {
  const model = handModel();
  const metrics = (value: number) => ({ n: 120, mse: value * value, rmse: value, mae: value * 0.8, r2: 0.9 });
  return {
    version,
    trained_at: new Date(model.trainedAt).toISOString(),
    algorithm: 'ridge',
    lambda: 1,
    lambda_selection: { method: 'validation', alpha: 0.001, evaluation_lambda: 1, validation_samples: 60, reason: 'lowest validation RMSE' },
    solver: 'cholesky',
    features: [
      { name: 'temperature_mean', coef_std: -2880, coef: -288, mean: 70, std: 10 },
      { name: 'temperature_slope', coef_std: 120, coef: 4000, mean: 0, std: 0.03 },
    ],
    intercept: 7200 + 288 * 60,
    intercept_std: 7200 - 2880,
    n_train: 1000,
    n_test: 120,
    n_served: 1120,
    episodes: { train: 8, test: 2 },
    training_window: { first_ts: model.trainedAt - 30 * 86_400_000, last_ts: model.trainedAt, first: '2024-12-02T00:00:00.000Z', last: '2025-01-01T00:00:00.000Z' },
    horizon_s: HAND_MODEL_HORIZON_S,
    window_s: 600,
    stride_s: 60,
    max_gap_s: 300,
    full_window: true,
    metrics: {
      note: 'Held-out test period: the 2 episodes that ended last.',
      test_period: { first_ts: model.trainedAt - 86_400_000, last_ts: model.trainedAt },
      challenger: metrics(rmse),
      from_sums: { ...metrics(rmse), mae: null },
      champion: null,
      baseline: { ...metrics(2100), r2: 0, prediction: 5000 },
    },
    calibration: null,
    fleet: null,
    recipe: { hash: 'hand-made', features: ['mean', 'slope'], half_lives_s: [], conditions: [], regimes: 1 },
    promoted,
    promotion: promoted ? `promoted: no champion yet (test RMSE ${rmse} s)` : `rejected: test RMSE ${rmse} s is not below the baseline's`,
    data_hash: 'sha256:hand-made',
    dropped_features: [],
    notes: [],
    duration_ms: 1200,
  };
}

/** Stores a rejected model 1 and the hand model as champion 2; returns the champion's version. */
export function seedModels(dbPath: string): string {
  const db = openDatabase(dbPath, { sync: 'normal' });
  try {
    const registry = new ModelRegistry(db);
    const model = handModel();
    registry.insert({ trainedAt: model.trainedAt - 86_400_000, dataHash: 'sha256:rejected', card: handCard(null, false, 2500), params: model, promote: false });
    return registry.insert({ trainedAt: model.trainedAt, dataHash: 'sha256:hand-made', card: handCard(null, true, 123.4), params: model, promote: true }).version;
  } finally {
    db.close();
  }
}

export interface PageAgent {
  agent: AgentProcess;
  broker: TestBroker;
  client: MqttClient;
  base: string;
  dir: string;
  dbPath: string;
  version: string;
}

/** Starts broker and agent (with `override` merged into its config), and a publishing client. */
export async function startPageAgent(override: ConfigTree = {}): Promise<PageAgent> {
  const embedded = await startBroker();
  onCleanup(() => embedded.close());
  const broker: TestBroker = { kind: 'aedes', url: embedded.url, protocolVersion: 4 };
  const dir = await tempDir('page');
  const dbPath = join(dir, 'faultline.db');
  const version = seedModels(dbPath);
  const port = await freePort();
  const agent = startAgent(writeConfig(dir, { ...ingestConfig(broker), http: { listen: `127.0.0.1:${port}` }, ...override }));
  await agent.waitForLog((l) => l.msg === 'subscribed', 15_000, 'subscribed');
  const client = await connectClient(broker);
  return { agent, broker, client, base: `http://127.0.0.1:${port}`, dir, dbPath, version };
}

export interface Reading {
  asset: string;
  ts: number;
  temperature: number;
}

/** Publishes readings (QoS 1, in order) on plant/line1/<asset>/telemetry. */
export async function publishReadings(client: MqttClient, readings: readonly Reading[]): Promise<void> {
  for (const r of readings) await client.publishAsync(`plant/line1/${r.asset}/telemetry`, JSON.stringify({ ts: r.ts, temperature: r.temperature }), { qos: 1 });
}

export async function publishFault(client: MqttClient, asset: string, ts: number): Promise<void> {
  await client.publishAsync(`plant/line1/${asset}/fault`, JSON.stringify({ ts }), { qos: 1 });
}
