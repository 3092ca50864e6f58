// Fleet learning in the retrain job, without a broker: three agents, each with a third of a line's
// presses, retrain in turn with the others' latest statistics, as they would receive them. Once the
// statistics have gone round, every agent serves the coefficients of one agent that has all presses.
import { describe, expect, it } from 'vitest';
import type { FleetStats } from '../../../src/fleet/types.js';
import type { ServingModel } from '../../../src/learn/model.js';
import type { AssetHistory } from '../../../src/learn/types.js';
import { NotEnoughDataError } from '../../../src/train/errors.js';
import { runJob, type EpisodeStore, type JobOutcome } from '../../../src/train/job.js';
import { memoryEpisodeStore } from '../../../src/train/memory-store.js';
import { memorySource } from '../../../src/train/source.js';
import { modelConfig, syntheticAssets, T0 } from './synthetic.js';

const line = syntheticAssets({ assets: 9, faultsPerAsset: 4, seed: 3 });
const base = modelConfig({ stride: 'auto', features: ['ewma', 'age', 'squares'], test_fraction: 0.2 });
const alone = runJob(memorySource(line), memoryEpisodeStore(), { model: base, champion: null, now: T0 });
// Rare faults: no agent has enough to fit alone, nor two of them together; the fleet of three has.
const config = { ...base, min_samples: Math.ceil(0.75 * alone.card.n_served) };
const AGENTS = ['line-a', 'line-b', 'line-c'];
const DAY = 86_400_000;

interface Agent {
  readonly name: string;
  readonly data: AssetHistory[];
  readonly store: EpisodeStore;
  champion: ServingModel | null;
  published: FleetStats | null;
  last: JobOutcome | null;
}

/** One retrain of `agent` with the others' latest statistics; the registry's part done by hand. */
function retrain(agent: Agent, others: readonly Agent[], now: number): JobOutcome | null {
  const members = others.flatMap((o) => (o.published ? [o.published] : []));
  try {
    const outcome = runJob(memorySource(agent.data), agent.store, { model: config, champion: agent.champion, now, fleet: { id: 'presses', agent: agent.name, members, share: true, waitMs: DAY } });
    if (outcome.promoted) agent.champion = { ...outcome.model, version: String(now) };
    agent.published = outcome.fleet;
    agent.last = outcome;
    return outcome;
  } catch (error) {
    if (!(error instanceof NotEnoughDataError)) throw error;
    agent.published = error.fleet;
    agent.last = null;
    return null;
  }
}

const relClose = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol * (1 + Math.abs(b));

describe('fleet learning in the retrain job', () => {
  it('gives every agent the coefficients of one agent with all the presses, once the statistics have gone round', () => {
    expect(() => runJob(memorySource(line.slice(0, 6)), memoryEpisodeStore(), { model: config, champion: null, now: T0 })).toThrow(NotEnoughDataError);
    const agents: Agent[] = AGENTS.map((name, i) => ({ name, data: line.filter((_, a) => a % 3 === i), store: memoryEpisodeStore(), champion: null, published: null, last: null }));
    let round = 0;
    const converged = (): boolean =>
      agents.every((a) => a.last !== null && a.last.card.fleet?.members.length === 3 && a.last.card.fleet.calibration.members === 3 && a.champion?.fleet?.fit === a.last.card.fleet.fit);
    while (!converged() && round < 6) {
      round++;
      for (const agent of agents) retrain(agent, agents.filter((o) => o !== agent), T0 + round * 1000);
    }
    // Round 1 shares; 2 recomputes under the fleet's recipe and scores the fit; 3 sums the members' scores.
    expect(round).toBe(3);
    const want = alone.model.ridge;
    for (const agent of agents) {
      const served = agent.champion!;
      expect(served.recipe.sensors).toEqual(alone.model.recipe.sensors);
      expect(served.recipe.strideMs).toBe(alone.model.recipe.strideMs);
      expect(served.ridge.featureNames).toEqual(want.featureNames);
      expect(served.alpha).toBe(alone.model.alpha);
      served.ridge.coef.forEach((c, j) => expect(relClose(c, want.coef[j] as number, 1e-9), `${agent.name} ${want.featureNames[j]}: ${c} vs ${want.coef[j]}`).toBe(true));
      expect(relClose(served.ridge.intercept, want.intercept, 1e-9)).toBe(true);
      const card = agent.last!.card;
      expect(card.fleet!.members.map((m) => m.agent)).toEqual([agent.name, ...AGENTS.filter((n) => n !== agent.name)]);
      expect(card.fleet!.members.reduce((sum, m) => sum + m.rows, 0)).toBe(alone.card.n_served);
      expect(card.fleet!.lambda_rows).toBe(alone.card.lambda_selection.validation_samples);
    }
    // Every agent serves the same calibration: the members' averaged.
    const calibrations = agents.map((a) => a.champion!.calibration);
    expect(calibrations[1]).toEqual(calibrations[0]);
    expect(calibrations[2]).toEqual(calibrations[0]);
  });

  it('shares its episodes though it has too few to fit alone, and then learns from the fleet', () => {
    const big: Agent = { name: 'big', data: line.slice(0, 8), store: memoryEpisodeStore(), champion: null, published: null, last: null };
    const small: Agent = { name: 'small', data: line.slice(8), store: memoryEpisodeStore(), champion: null, published: null, last: null };
    expect(() => runJob(memorySource(small.data), memoryEpisodeStore(), { model: config, champion: null, now: T0 })).toThrow(NotEnoughDataError);
    expect(retrain(small, [big], T0)).toBeNull();
    expect(small.published!.episodes.length).toBeGreaterThan(0);
    expect(small.published!.aggregates).toBeNull();
    for (let round = 1; round <= 2; round++) {
      retrain(big, [small], T0 + round * 1000);
      retrain(small, [big], T0 + round * 1000 + 500);
    }
    expect(big.last!.card.fleet!.members.map((m) => m.agent)).toEqual(['big', 'small']);
    expect(small.champion).not.toBeNull();
    expect(small.last!.card.n_served).toBeGreaterThan(config.min_samples);
    // What it serves is the fleet's fit: that of one agent with all nine presses.
    small.champion!.ridge.coef.forEach((c, j) => expect(relClose(c, alone.model.ridge.coef[j] as number, 1e-9)).toBe(true));
  });

  it('leaves out a member with another model config, and says why', () => {
    const a: Agent = { name: 'line-a', data: line.slice(0, 5), store: memoryEpisodeStore(), champion: null, published: null, last: null };
    const other = runJob(memorySource(line.slice(5)), memoryEpisodeStore(), {
      model: { ...base, window: 2 * base.window },
      champion: null,
      now: T0,
      fleet: { id: 'presses', agent: 'line-z', members: [], share: true, waitMs: DAY },
    }).fleet!;
    const outcome = runJob(memorySource(a.data), a.store, { model: base, champion: null, now: T0, fleet: { id: 'presses', agent: 'line-a', members: [other], share: true, waitMs: DAY } });
    expect(outcome.card.fleet!.left_out).toEqual([{ agent: 'line-z', reason: 'another model config' }]);
    expect(outcome.card.fleet!.members.map((m) => m.agent)).toEqual(['line-a']);
  });
});
