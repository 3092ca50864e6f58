// The fleet's recipe is a function of its members' bases, not of which member makes it: each agent
// passes its own basis first, and all of them must reach the same recipe hash, to the last bit.
import { describe, expect, it } from 'vitest';
import type { RecipeBasis } from '../../../src/fleet/types.js';
import { recipeConfigKey, recipeFromBases, type MemberBasis } from '../../../src/train/recipe-fit.js';
import { modelConfig } from './synthetic.js';

const config = modelConfig({ stride: 'auto', features: ['ewma', 'age', 'squares'] });
const SENSORS = ['pressure', 'temperature', 'vibration'];

/** A member's basis: its readings of each sensor summed as Welford moments (n, mean, m2). */
function basis(n: number, means: readonly number[]): RecipeBasis {
  return {
    configKey: recipeConfigKey(config),
    sensors: SENSORS,
    conditions: [],
    intervalMs: 60_000,
    durationMs: n * 60_000,
    medianEpisodeMs: 3_600_000,
    episodes: 4,
    samples: n,
    regimes: null,
    momentsIn: '',
    moments: [means.map((mean, j) => ({ n, mean, m2: n * (0.01 + j) }))],
  };
}

// Means that differ in their last bits, as members' own Welford passes over similar readings give.
const members: MemberBasis[] = [
  { agent: 'line-a', basis: basis(6608, [0.03, 47.52329146489098, 2388.0936228813553]) },
  { agent: 'line-b', basis: basis(6957, [0.029999999999999995, 47.544014743825976, 2388.099593807599]) },
  { agent: 'line-c', basis: basis(7066, [0.03, 47.55583951010379, 2388.0950056]) },
];

describe('recipeFromBases', () => {
  it('makes the same recipe whichever member lists its own basis first', () => {
    const orders = [members, [members[1]!, members[0]!, members[2]!], [members[2]!, members[0]!, members[1]!], [...members].reverse()];
    const made = orders.map((order) => recipeFromBases(config, order));
    for (const m of made.slice(1)) {
      expect(m.recipe.regimes?.scaling).toEqual(made[0]!.recipe.regimes?.scaling);
      expect(m.hash).toBe(made[0]!.hash);
    }
  });
});
