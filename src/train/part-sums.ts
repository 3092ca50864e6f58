// The sums of episodes an evaluation needs (training, test, all, λ's fit and validation parts, the
// test episodes a champion never saw and the "others" it is refit on), from one read of each
// episode's Gram: each Gram goes into the one disjoint part it belongs to, and the sets are sums of
// parts. Decoding a cached Gram is most of a retrain's time, and holding them all would cost O(p²) each.
import { GramSum, mergeGrams, type Gram } from '../learn/gram.js';
import type { Unit, UnitSource } from './evaluate.js';

/** The training and the test episodes, each cut in two disjoint parts, in time order. */
export interface Parts {
  /** λ's fit part of the training episodes (all of them when λ is not chosen on episodes). */
  readonly fit: readonly Unit[];
  /** λ's validation part: the latest training episodes (none when λ is not chosen on episodes). */
  readonly validation: readonly Unit[];
  /** The test episodes the champion never saw (none without a champion of this recipe). */
  readonly unseen: readonly Unit[];
  /** The other test episodes. */
  readonly seen: readonly Unit[];
}

export interface PartSums {
  readonly fit: Gram;
  readonly validation: Gram;
  readonly unseen: Gram;
  readonly train: Gram;
  readonly test: Gram;
  readonly all: Gram;
  /** The training episodes and the test episodes the champion saw. */
  readonly others: Gram;
}

/**
 * Reads each unit's Gram once, in the order of the parts (fit, validation, unseen, seen) and within
 * each in the order given, and adds part sums in a fixed order: every agent of a fleet, splitting the
 * same units alike, adds the same numbers in the same order and gets the same sums to the last bit.
 */
export function sumParts(p: number, parts: Parts, source: UnitSource): PartSums {
  const sumOf = (units: readonly Unit[]): Gram => {
    const total = new GramSum(p);
    for (const u of units) {
      const g = source.gram(u);
      if (g) total.addGram(g);
    }
    return total.toGram();
  };
  const fit = sumOf(parts.fit);
  const validation = sumOf(parts.validation);
  const unseen = sumOf(parts.unseen);
  const seen = sumOf(parts.seen);
  const train = mergeGrams(fit, validation);
  const test = mergeGrams(unseen, seen);
  return { fit, validation, unseen, train, test, all: mergeGrams(train, test), others: mergeGrams(train, seen) };
}
