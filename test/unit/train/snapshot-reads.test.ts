// A retrain reads readings while ingest writes them: every read of an asset's readings must happen
// inside one snapshot, or a series' times and values can come from two states (seen in bench:soak:
// "series 451: 3026 times but 3027 values in one snapshot", in the recipe step).
import { describe, expect, it } from 'vitest';
import { runJob } from '../../../src/train/job.js';
import { memoryEpisodeStore } from '../../../src/train/memory-store.js';
import { memorySource, type TrainingSource } from '../../../src/train/source.js';
import { modelConfig, syntheticAssets, T0 } from './synthetic.js';

/** The source, refusing any read of readings outside snapshot(). */
function strict(source: TrainingSource): TrainingSource & { reads: number } {
  let inside = false;
  const wrapped = {
    ...source,
    reads: 0,
    snapshot: <T>(fn: () => T): T => {
      inside = true;
      try {
        return source.snapshot(fn);
      } finally {
        inside = false;
      }
    },
    events: (...args: Parameters<TrainingSource['events']>) => {
      if (!inside) throw new Error(`events(${args[0].name}) read outside a snapshot`);
      wrapped.reads++;
      const events = source.events(...args);
      return {
        *[Symbol.iterator]() {
          for (const event of events) {
            if (!inside) throw new Error(`events(${args[0].name}) iterated outside a snapshot`);
            yield event;
          }
        },
      };
    },
  };
  return wrapped;
}

describe('a retrain reads readings only inside a snapshot', () => {
  it('in every step, operating regimes included', () => {
    const source = strict(memorySource(syntheticAssets({ assets: 4, faultsPerAsset: 3, seed: 5 })));
    const outcome = runJob(source, memoryEpisodeStore(), { model: modelConfig({ stride: 'auto', conditions: ['vib'], features: ['ewma', 'age', 'squares'] }), champion: null, now: T0 });
    expect(outcome.card.n_served).toBeGreaterThan(0);
    // The recipe's regimes and moments and the episodes step all read (4 assets each).
    expect(source.reads).toBeGreaterThanOrEqual(12);
  });
});
