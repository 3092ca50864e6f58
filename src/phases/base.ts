// What every phase may take from the agent itself, and the events the agent emits to its listeners
// (the demo, benchmarks): the base of the typed start-up chain in index.ts.
import type { EventEmitter } from 'node:events';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../log.js';
import type { AssetPrediction } from '../predict/predictor.js';
import type { Batch } from '../store/ingest-batch.js';
import type { StoredModel } from '../store/models.js';
import type { ModelCard } from '../train/card.js';
import type { TrainReason, TrainResult } from '../train/trainer.js';

export interface AgentEvents {
  /** A retrain started. */
  training: [reason: TrainReason];
  /** A retrain ended: trained (promoted or not), not enough data, or failed. */
  trained: [result: TrainResult];
  /** A prediction was made (and handed to the publisher). */
  prediction: [prediction: AssetPrediction];
  /** A new champion started serving. */
  model: [model: StoredModel<ModelCard>];
  /** A batch of readings, faults and dead letters became durable. */
  committed: [batch: Batch];
  /** The broker granted the subscriptions, after each connect. */
  subscribed: [];
}

export interface Base {
  readonly config: Config;
  readonly log: Logger;
  readonly events: EventEmitter<AgentEvents>;
  readonly metrics: Metrics;
}
