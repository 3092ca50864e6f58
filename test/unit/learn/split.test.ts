// The train/test split by whole episodes in time order: ordering, ties, rounding, both sides non-empty.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NotEnoughEpisodesError, rowsOf, splitByEpisode, testEpisodeCount } from '../../../src/learn/split.js';

const ep = (asset: string, start: number, end: number) => ({ asset, start, end, id: `${asset}@${start}` });

describe('splitByEpisode', () => {
  it('holds out the episodes that ended last, whatever the input order', () => {
    const episodes = [ep('a', 0, 500), ep('b', 100, 900), ep('c', 50, 300), ep('a', 600, 1000), ep('b', 950, 1200)];
    const { train, test } = splitByEpisode(episodes, 0.4);
    expect(test.map((e) => e.id)).toEqual(['a@600', 'b@950']);
    expect(train.map((e) => e.id)).toEqual(['c@50', 'a@0', 'b@100']);
  });

  it('breaks ties on the end by asset name, then by start', () => {
    const episodes = [ep('b', 10, 1000), ep('a', 20, 1000), ep('a', 5, 1000), ep('c', 0, 999)];
    const { train, test } = splitByEpisode(episodes, 0.5);
    expect(train.map((e) => e.id)).toEqual(['c@0', 'a@5']);
    expect(test.map((e) => e.id)).toEqual(['a@20', 'b@10']);
  });

  it("splits a fleet's episodes (member/asset) as one agent with all the assets splits them", () => {
    // C-MAPSS engines 20 and 31 both live 234 cycles; in a fleet split by engine mod 3 they sit with two members.
    const alone = [ep('train-31', 0, 234), ep('train-20', 0, 234), ep('train-46', 0, 256), ep('train-11', 0, 240)];
    const fleet = alone.map((e) => ({ ...e, asset: `mod3-${Number(e.asset.slice(6)) % 3}/${e.asset}` }));
    const cut = (episodes: typeof alone) => splitByEpisode(episodes, 0.75).train.map((e) => e.id);
    expect(cut(alone)).toEqual(['train-20@0']);
    expect(cut(fleet)).toEqual(cut(alone));
  });

  it('keeps each episode whole: an episode is on one side only', () => {
    const episodes = [ep('a', 0, 10), ep('b', 0, 20), ep('c', 0, 30)];
    const { train, test } = splitByEpisode(episodes, 0.34);
    expect([...train, ...test]).toHaveLength(3);
    expect(new Set([...train, ...test].map((e) => e.id)).size).toBe(3);
  });

  it('rounds the test share to the nearest count, halves up', () => {
    expect(testEpisodeCount(10, 0.2)).toBe(2);
    expect(testEpisodeCount(10, 0.25)).toBe(3); // 2.5 → 3
    expect(testEpisodeCount(10, 0.24)).toBe(2);
    expect(testEpisodeCount(7, 0.2)).toBe(1); // 1.4 → 1
  });

  it('holds out at least one episode and trains on at least one', () => {
    expect(testEpisodeCount(3, 0.01)).toBe(1);
    expect(testEpisodeCount(2, 0.99)).toBe(1);
    const { train, test } = splitByEpisode([ep('a', 0, 1), ep('a', 2, 3)], 0.9);
    expect(train.map((e) => e.end)).toEqual([1]);
    expect(test.map((e) => e.end)).toEqual([3]);
  });

  it('refuses fewer than two episodes with a clear error', () => {
    expect(() => splitByEpisode([ep('a', 0, 1)], 0.2)).toThrow(NotEnoughEpisodesError);
    expect(() => splitByEpisode([], 0.2)).toThrow(/at least 2 labelled episodes.*have 0/);
  });

  it('refuses a fraction outside (0, 1)', () => {
    const two = [ep('a', 0, 1), ep('b', 0, 2)];
    expect(() => splitByEpisode(two, 0)).toThrow(RangeError);
    expect(() => splitByEpisode(two, 1)).toThrow(RangeError);
    expect(() => splitByEpisode(two, Number.NaN)).toThrow(RangeError);
  });

  it('never trains on an episode that ended after a test episode (property)', () => {
    const arb = fc.array(fc.record({ asset: fc.constantFrom('a', 'b', 'c'), start: fc.integer({ min: 0, max: 50 }), end: fc.integer({ min: 0, max: 100 }) }), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(arb, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (episodes, f) => {
        const { train, test } = splitByEpisode(episodes, f);
        expect(train.length + test.length).toBe(episodes.length);
        expect(test.length).toBe(Math.min(episodes.length - 1, Math.max(1, Math.round(f * episodes.length))));
        const lastTrain = Math.max(...train.map((e) => e.end));
        expect(Math.min(...test.map((e) => e.end))).toBeGreaterThanOrEqual(lastTrain);
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('rowsOf', () => {
  it('lists the rows of the episodes, ascending', () => {
    expect([...rowsOf([{ rows: [5, 7] }, { rows: [0, 2] }, { rows: [2, 2] }])]).toEqual([0, 1, 5, 6]);
  });
});
