// The typed outcomes of a retrain that are not a model: too little labelled data. Plain data on
// the error, so the worker can send it across and the CLI can print how much it has and needs.
import type { FleetStats } from '../fleet/types.js';

/** Too few labelled samples or episodes to fit and hold out a test period; exit 3 in the CLI. */
export class NotEnoughDataError extends Error {
  override name = 'NotEnoughDataError';
  readonly code = 'not_enough_data';
  /**
   * What this agent can still share with its fleet (issue 15): too little to train alone is what a
   * fleet is for, and its members can only learn from it if it shares.
   */
  fleet: FleetStats | null = null;

  constructor(
    readonly samples: number,
    readonly episodes: number,
    readonly minSamples: number,
    /** Replaces the standard sentence when the shortage shows only after feature selection. */
    detail?: string,
  ) {
    super(
      detail ??
        `has ${samples} labelled samples from ${episodes} episodes, needs model.min_samples = ${minSamples} and at least 2 episodes`,
    );
  }

  /** Sets what it shares (the job, which knows the statistics, catches and rethrows). */
  sharing(stats: FleetStats | null): this {
    this.fleet = stats;
    return this;
  }
}

/** Every candidate feature was dropped on the training rows (missing or constant): nothing to fit. */
export class NoUsableFeatureError extends Error {
  override name = 'NoUsableFeatureError';

  constructor(readonly notes: readonly string[]) {
    super(`no usable feature: every candidate was dropped on the training samples (${notes.join('; ')}); check the sensors, model.window and model.max_gap`);
  }
}
