import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.js';
import { LiveWindows } from '../../../src/predict/live-windows.js';
import { pointsOf } from '../../helpers/series.js';

const points = (w: LiveWindows, asset: string, sensor: string) => {
  const readings = w.view(asset)?.series.get(sensor);
  return readings === undefined ? [] : pointsOf(readings).map((p) => [p.ts, p.value]);
};

describe('LiveWindows', () => {
  it('keeps the model’s sensors only, sorted, within keepMs of the newest reading', () => {
    const w = new LiveWindows(new Set(['t']), 100);
    for (const ts of [10, 50, 30, 120, 150]) w.add('a', 'l1', 't', ts, ts / 10);
    w.add('a', 'l1', 'other', 160, 1);
    expect(points(w, 'a', 't')).toEqual([[50, 5], [120, 12], [150, 15]]);
    expect(w.view('a')?.series.has('other')).toBe(false);
    expect(w.view('a')?.newest).toBe(160); // every sensor moves the bounds
    expect(w.view('a')?.line).toBe('l1');
  });

  it('keeps one reading per timestamp (a redelivery is not a second point)', () => {
    const w = new LiveWindows(new Set(['t']), 1000);
    w.add('a', null, 't', 10, 1);
    w.add('a', null, 't', 10, 99);
    w.add('a', null, 't', 5, 2);
    w.add('a', null, 't', 5, 3);
    expect(points(w, 'a', 't')).toEqual([[5, 2], [10, 1]]);
  });

  it('starts a new episode after a fault: history restarts, older points go', () => {
    const w = new LiveWindows(new Set(['t']), 1000);
    for (const ts of [10, 20, 30]) w.add('a', null, 't', ts, ts);
    expect(w.view('a')?.historyStart).toBe(10);
    w.fault('a', null, 20);
    expect(points(w, 'a', 't')).toEqual([[30, 30]]);
    expect(w.view('a')?.historyStart).toBe(30);
    w.add('a', null, 't', 15, 15); // late, from before the fault
    expect(points(w, 'a', 't')).toEqual([[30, 30]]);
    w.fault('a', null, 40);
    expect(w.view('a')?.historyStart).toBe(Infinity);
    w.add('a', null, 't', 50, 50);
    expect(w.view('a')?.historyStart).toBe(50);
  });

  it('ignores an older fault than the last one', () => {
    const w = new LiveWindows(new Set(['t']), 1000);
    w.fault('a', null, 100);
    w.add('a', null, 't', 110, 1);
    w.fault('a', null, 50);
    expect(w.view('a')?.historyStart).toBe(110);
  });

  it('is seeded from the buffer with its episode bounds', () => {
    const w = new LiveWindows(new Set(['t']), 1000);
    w.seed('a', 'l', 5, 2, new Map([['t', { ts: [500, 600], value: [1, 2] }]]));
    expect(w.view('a')).toMatchObject({ historyStart: 5, newest: 600, line: 'l' });
    expect(points(w, 'a', 't')).toEqual([[500, 1], [600, 2]]);
    expect(w.view('nobody')).toBeNull();
  });

  it('ends seeding where adding the same readings one by one ends, fault, trim and merge included', () => {
    const rnd = mulberry32(7);
    for (let run = 0; run < 50; run++) {
      const series = new Map<string, { ts: number[]; value: number[] }>();
      for (const sensor of ['t', 'u', 'other']) {
        const readings = { ts: [] as number[], value: [] as number[] };
        for (let ts = Math.floor(rnd() * 50); ts < 400; ts += 1 + Math.floor(rnd() * 30)) {
          readings.ts.push(ts);
          readings.value.push(rnd());
        }
        series.set(sensor, readings);
      }
      // No fault, or one at a reading's own time (that reading belongs to the episode before).
      const tTimes = series.get('t')!.ts;
      const lastFault = rnd() < 0.3 ? -Infinity : tTimes[Math.floor(rnd() * tTimes.length)]!;
      const seeded = new LiveWindows(new Set(['t', 'u']), 150);
      const added = new LiveWindows(new Set(['t', 'u']), 150);
      // Half the runs already hold a reading of 't' (a merge), as after a live reading.
      if (run % 2 === 1) for (const w of [seeded, added]) w.add('a', null, 't', 250.5, -1);
      seeded.seed('a', 'l', 0, lastFault, series);
      added.seed('a', 'l', 0, lastFault, new Map());
      for (const [sensor, { ts, value }] of series) ts.forEach((t, i) => added.add('a', 'l', sensor, t, value[i]!));
      const state = (w: LiveWindows) => ({ ...w.view('a'), series: ['t', 'u', 'other'].map((s) => points(w, 'a', s)) });
      expect(state(seeded)).toEqual(state(added));
    }
  });

  it('keeps what a model needs only for exactly its sensors over exactly its span', () => {
    const w = new LiveWindows(new Set(['t', 'u']), 750);
    expect(w.keeps(new Set(['u', 't']), 750)).toBe(true);
    expect(w.keeps(new Set(['t']), 750)).toBe(false); // would keep a sensor nobody reads
    expect(w.keeps(new Set(['t', 'u', 'v']), 750)).toBe(false);
    expect(w.keeps(new Set(['t', 'v']), 750)).toBe(false);
    expect(w.keeps(new Set(['t', 'u']), 1000)).toBe(false);
    expect(w.keeps(new Set(['t', 'u']), 500)).toBe(false);
    expect(new LiveWindows(new Set(), 0).keeps(new Set(['t']), 750)).toBe(false); // no model yet
  });
});

