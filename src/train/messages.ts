// What crosses between the trainer (the agent) and its training process: plain, structured-clonable
// data only. The dataset never leaves that process; only the card and coefficients (a few KB) come back.
import type { ServingModel } from '../learn/model.js';
import type { JobOutcome, ModelConfig } from './job.js';

/** The one message the training process receives. */
export interface WorkerInput {
  readonly dbPath: string;
  readonly model: ModelConfig;
  readonly champion: ServingModel | null;
  /** trained_at, epoch ms. */
  readonly now: number;
}

export type WorkerReply =
  | { readonly kind: 'trained'; readonly outcome: JobOutcome; /** The training process's peak RSS. */ readonly peakRssKb: number }
  | { readonly kind: 'not_enough_data'; readonly message: string; readonly samples: number; readonly episodes: number; readonly minSamples: number }
  | { readonly kind: 'failed'; readonly message: string; readonly stack?: string };
