// What an agent shares with its fleet stays bounded however long its history: the newest units as
// they are, older ones summed per asset into buckets older than every unit kept, no row lost.
import { describe, expect, it } from 'vitest';
import { MIN_SHARED_ROWS } from '../../../src/fleet/types.js';
import { GramSum, type Gram } from '../../../src/learn/gram.js';
import { fleetView, MAX_SHARED_UNITS, MIXED, type OwnEpisode } from '../../../src/train/fleet-view.js';

const HOUR = 3_600_000;

/** `count` episodes on each of `assets` assets, one every 6 h, 40 rows each, a Gram of known sums. */
function history(assets: number, count: number): { episodes: OwnEpisode[]; grams: Map<string, Gram> } {
  const episodes: OwnEpisode[] = [];
  const grams = new Map<string, Gram>();
  for (let a = 0; a < assets; a++) {
    for (let k = 0; k < count; k++) {
      const end = (k + 1) * 6 * HOUR + a * 60_000;
      const e = { asset: `press${a}`, key: String(end), start: end - 5 * HOUR, end, rows: 40, incomplete: 0 };
      const sum = new GramSum(2);
      for (let r = 0; r < e.rows; r++) sum.addRow(Float64Array.of(a + r, k), k * 100 + r);
      episodes.push(e);
      grams.set(`${e.asset}/${e.key}`, sum.toGram());
    }
  }
  return { episodes, grams };
}

describe('fleetView', () => {
  it('shares every episode as it is while there are few', () => {
    const { episodes, grams } = history(3, 10);
    const view = fleetView('a', 'h', 'k', episodes, { gram: (e) => grams.get(`${e.asset}/${e.key}`) ?? null, sample: () => null }, []);
    expect(view.shared).toHaveLength(30);
    expect(view.units.map((u) => u.asset).every((name) => name.startsWith('a/press'))).toBe(true);
    expect(view.shared.every((e) => e.rows >= MIN_SHARED_ROWS)).toBe(true);
  });

  it('folds the oldest into per-asset buckets beyond MAX_SHARED_UNITS, keeping the newest and every row', () => {
    const { episodes, grams } = history(5, 60);
    const view = fleetView('a', 'h', 'k', episodes, { gram: (e) => grams.get(`${e.asset}/${e.key}`) ?? null, sample: () => null }, []);
    expect(episodes.length).toBe(300);
    expect(view.shared.length).toBeLessThanOrEqual(MAX_SHARED_UNITS);
    expect(view.shared.reduce((sum, e) => sum + e.rows, 0)).toBe(300 * 40);
    const total = (list: readonly Gram[]): Gram => {
      const sum = new GramSum(2);
      for (const g of list) sum.addGram(g);
      return sum.toGram();
    };
    const all = total([...grams.values()]);
    const shared = total(view.shared.map((e) => e.gram));
    expect(shared.n).toBe(all.n);
    expect(shared.sy + shared.n * shared.shiftY).toBeCloseTo(all.sy + all.n * all.shiftY, 6);
    // The 80 newest episodes are shared as they are; every bucket is older than all of them.
    const newest = [...episodes].sort((a, b) => a.end - b.end).slice(-80);
    const single = view.shared.filter((e) => e.rows === 40);
    expect(single.map((e) => e.key).sort()).toEqual(newest.map((e) => e.key).sort());
    const buckets = view.shared.filter((e) => e.rows > 40);
    expect(buckets.length).toBeGreaterThanOrEqual(5);
    const oldestKept = Math.min(...newest.map((e) => e.end));
    expect(buckets.every((b) => b.end < oldestKept)).toBe(true);
  });

  // Up to 40 assets: each one's share of the 40 buckets, rounded on its own, could add up to more
  // (6 × 40 gave 122 units, 11 × 11 gave 121). More than 40: one bucket each already passed the cap.
  it.each([
    [6, 40],
    [11, 11],
    [50, 3],
    [130, 2],
  ])('never shares more than MAX_SHARED_UNITS units: %i assets of %i episodes each', (assets, count) => {
    const { episodes, grams } = history(assets, count);
    const view = fleetView('a', 'h', 'k', episodes, { gram: (e) => grams.get(`${e.asset}/${e.key}`) ?? null, sample: () => null }, []);
    expect(view.shared.length).toBeLessThanOrEqual(MAX_SHARED_UNITS);
    expect(view.shared.length).toBeGreaterThan(MAX_SHARED_UNITS - 5);
    expect(view.leftOut).toEqual([]);
    expect(view.shared.reduce((sum, e) => sum + e.rows, 0)).toBe(assets * count * 40);
    // Unique names, as a message needs; the newest 80 as they are, every bucket older than them.
    expect(new Set(view.shared.map((e) => `${e.asset}\u0000${e.key}`)).size).toBe(view.shared.length);
    const newest = [...episodes].sort((a, b) => a.end - b.end).slice(-80);
    expect(view.shared.filter((e) => e.rows === 40 && e.asset !== MIXED).length).toBeGreaterThanOrEqual(80);
    const oldestKept = Math.min(...newest.map((e) => e.end));
    expect(view.shared.filter((e) => e.rows > 40).every((b) => b.end < oldestKept)).toBe(true);
    const mixed = view.shared.filter((e) => e.asset === MIXED);
    expect(mixed.length > 0).toBe(assets > MAX_SHARED_UNITS - 80);
  });

  it('leaves out, and names, an asset with fewer rows than a shared unit needs', () => {
    const episodes: OwnEpisode[] = [
      { asset: 'press1', key: '1', start: 0, end: HOUR, rows: 50, incomplete: 0 },
      { asset: 'press2', key: '2', start: 0, end: HOUR, rows: 12, incomplete: 0 },
    ];
    const view = fleetView('a', 'h', 'k', episodes, { gram: () => null, sample: () => null }, []);
    expect(view.units.map((u) => u.asset)).toEqual(['a/press1']);
    expect(view.leftOut).toEqual([{ agent: 'a', reason: `press2: fewer than ${MIN_SHARED_ROWS} labelled samples, which no member could see` }]);
  });
});
