// Time-to-fault labels and episode cutting: every edge case of the contract, plus a property
// test against the definition of a label.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { censoredCount, episodesOf, labelAt, normalizeFaults } from '../../../src/learn/labels.js';

const H = 3600; // horizon, seconds
const S = 1000; // one second in ms
const every = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let t = from; t <= to; t += step) out.push(t);
  return out;
};

describe('labelAt', () => {
  it('is the time to the next fault in seconds', () => {
    expect(labelAt(10_000, 70_000, 70_000, H)).toBe(60);
  });
  it('is 0 at the fault itself', () => {
    expect(labelAt(70_000, 70_000, 70_000, H)).toBe(0);
  });
  it('is capped at the horizon when the fault is further away', () => {
    expect(labelAt(0, (H + 500) * S, 0, H)).toBe(H);
  });
  it('is H without a fault when at least H of data follows, exactly H included', () => {
    expect(labelAt(0, null, H * S, H)).toBe(H);
    expect(labelAt(0, null, H * S + 1, H)).toBe(H);
  });
  it('is censored without a fault when less than H of data follows', () => {
    expect(labelAt(1, null, H * S, H)).toBeNull();
  });
  it('is null when the given fault lies before t (t is not in that episode)', () => {
    expect(labelAt(5_000, 4_000, 10_000_000, H)).toBeNull();
  });
});

describe('normalizeFaults', () => {
  it('sorts and removes duplicates', () => {
    expect(normalizeFaults([30, 10, 30, 20, 10])).toEqual([10, 20, 30]);
  });
});

describe('episodesOf', () => {
  it('returns nothing without readings', () => {
    expect(episodesOf([], [1000], H)).toEqual([]);
  });

  it('cuts at every fault; a reading at the fault ends its episode, the next starts after it', () => {
    const readings = every(0, 100 * S, 10 * S); // 0, 10 s, …, 100 s
    const eps = episodesOf(readings, [30 * S, 70 * S], H);
    expect(eps).toEqual([
      { index: 0, start: 0, faultTs: 30 * S, end: 30 * S },
      { index: 1, start: 40 * S, faultTs: 70 * S, end: 70 * S },
    ]);
  });

  it('makes a one-reading episode for a fault at the very first reading', () => {
    const readings = every(0, 50 * S, 10 * S);
    const eps = episodesOf(readings, [0], H);
    expect(eps[0]).toEqual({ index: 0, start: 0, faultTs: 0, end: 0 });
    expect(eps).toHaveLength(1); // 10 s … 50 s: less than H after them, censored
  });

  it('labels readings after the last fault only where H of data follows them', () => {
    const readings = every(0, 3 * H * S, 600 * S); // every 10 min for 3 h
    const eps = episodesOf(readings, [H * S], H);
    expect(eps).toHaveLength(2);
    const tail = eps[1];
    expect(tail).toEqual({ index: 1, start: H * S + 600 * S, faultTs: null, end: 2 * H * S });
    // The reading right after the tail's end has less than H after it.
    expect(labelAt(2 * H * S + 600 * S, null, 3 * H * S, H)).toBeNull();
  });

  it('gives no tail when less than H of data follows the last fault', () => {
    const readings = every(0, 2 * H * S, 600 * S);
    const eps = episodesOf(readings, [H * S + 1], H);
    expect(eps.map((e) => e.faultTs)).toEqual([H * S + 1]);
  });

  it('censors everything of an asset without faults and with less than H of data', () => {
    const readings = every(0, H * S - 1, 60 * S);
    expect(episodesOf(readings, [], H)).toEqual([]);
    expect(censoredCount(readings, [])).toBe(readings.length);
  });

  it('gives an asset without faults a labelled tail ending H before its last reading', () => {
    const readings = every(0, 2 * H * S, 60 * S);
    const eps = episodesOf(readings, [], H);
    expect(eps).toEqual([{ index: 0, start: 0, faultTs: null, end: H * S }]);
    expect(censoredCount(readings, eps)).toBe(60); // the readings strictly after H
  });

  it('ignores duplicate fault timestamps', () => {
    const readings = every(0, 100 * S, 10 * S);
    expect(episodesOf(readings, [30 * S, 30 * S, 70 * S, 70 * S], H)).toEqual(episodesOf(readings, [30 * S, 70 * S], H));
    expect(episodesOf(readings, [30 * S, 30 * S], H)).toHaveLength(1);
  });

  it('accepts faults in any order', () => {
    const readings = every(0, 100 * S, 10 * S);
    expect(episodesOf(readings, [70 * S, 30 * S, 95 * S], H)).toEqual(episodesOf(readings, [30 * S, 70 * S, 95 * S], H));
    expect(episodesOf(readings, [70 * S, 30 * S], H).map((e) => e.faultTs)).toEqual([30 * S, 70 * S]);
  });

  it('makes no episode for a fault before any reading or for a second fault with no reading between', () => {
    const readings = every(100 * S, 200 * S, 10 * S);
    const eps = episodesOf(readings, [5 * S, 150 * S, 152 * S, 200 * S], H);
    expect(eps).toEqual([
      { index: 0, start: 100 * S, faultTs: 150 * S, end: 150 * S },
      { index: 1, start: 160 * S, faultTs: 200 * S, end: 200 * S },
    ]);
  });

  it('closes an episode with a fault after the last reading', () => {
    const readings = every(0, 50 * S, 10 * S);
    expect(episodesOf(readings, [10 * H * S], H)).toEqual([{ index: 0, start: 0, faultTs: 10 * H * S, end: 10 * H * S }]);
  });

  it('agrees with the definition of labels for any readings and faults (property)', () => {
    const arbTimes = fc.uniqueArray(fc.integer({ min: 0, max: 40_000 }), { minLength: 0, maxLength: 60 });
    const arbFaults = fc.array(fc.integer({ min: -5_000, max: 45_000 }), { maxLength: 6 });
    const h = 5; // 5 s horizon against times of up to 40 s
    fc.assert(
      fc.property(arbTimes, arbFaults, (raw, faults) => {
        const readings = [...raw].sort((a, b) => a - b);
        const eps = episodesOf(readings, faults, h);
        const last = readings[readings.length - 1] ?? 0;
        let labelled = 0;
        for (const t of readings) {
          const next = faults.filter((f) => f >= t).sort((a, b) => a - b)[0];
          const expected = next !== undefined ? Math.min((next - t) / 1000, h) : last - t >= h * 1000 ? h : null;
          const containing = eps.filter((e) => e.start <= t && t <= e.end);
          expect(containing.length).toBe(expected === null ? 0 : 1);
          const ep = containing[0];
          if (ep !== undefined) {
            labelled++;
            expect(labelAt(t, ep.faultTs, last, h)).toBe(expected);
          }
        }
        expect(censoredCount(readings, eps)).toBe(readings.length - labelled);
        eps.forEach((e, i) => {
          expect(e.index).toBe(i);
          if (i > 0) expect(e.start).toBeGreaterThan((eps[i - 1] as { end: number }).end);
        });
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});
