// What crosses between the trainer (the agent) and its training process: plain, structured-clonable
// data only. The dataset never leaves that process; only the card and coefficients (a few KB) come back.
import type { ServingModel } from '../learn/model.js';
import type { FleetSelector } from '../store/fleet-members.js';
import type { JobOutcome, ModelConfig } from './job.js';

/**
 * This agent's statistics for its fleet (issue 15), encoded in the training process: a large
 * message takes about a second to pack and compress, which the agent's ingest must not wait on.
 * 'unsendable' when encoding failed (a value JSON cannot carry): a bug to report, not data.
 */
export type SharedStats =
  | { readonly kind: 'encoded'; readonly fleet: string; readonly agent: string; readonly episodes: number; readonly recipe: string | null; readonly payload: Uint8Array }
  | { readonly kind: 'unsendable'; readonly message: string };

/** This agent in its fleet, as the training process needs it: it reads the members' statistics itself. */
export interface WorkerFleet {
  readonly selector: FleetSelector;
  readonly agent: string;
  readonly share: boolean;
  readonly learn: boolean;
  readonly waitMs: number;
}

/** The one message the training process receives. */
export interface WorkerInput {
  readonly dbPath: string;
  readonly model: ModelConfig;
  readonly champion: ServingModel | null;
  /** trained_at, epoch ms. */
  readonly now: number;
  /** Absent outside a fleet. */
  readonly fleet?: WorkerFleet;
}

export type WorkerReply =
  | { readonly kind: 'trained'; readonly outcome: JobOutcome; /** The training process's peak RSS. */ readonly peakRssKb: number; readonly fleet: SharedStats | null }
  | { readonly kind: 'not_enough_data'; readonly message: string; readonly samples: number; readonly episodes: number; readonly minSamples: number; readonly fleet: SharedStats | null }
  | { readonly kind: 'failed'; readonly message: string; readonly stack?: string };
