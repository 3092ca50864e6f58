// Reading training data back from a real buffer file: per asset, its readings and faults, by name
// and sensor order, one snapshot for a whole run while ingest keeps writing.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readingTimesOf } from '../../../src/train/source.js';
import { openDatabase } from '../../../src/store/db.js';
import { TrainingData } from '../../../src/store/training-data.js';
import { pointsOf } from '../../helpers/series.js';
import { tempDir } from '../../helpers/teardown.js';
import { syntheticAssets } from '../../unit/train/synthetic.js';
import { writeBuffer } from './buffer.js';

async function buffer() {
  const dir = await tempDir('training-data');
  const path = join(dir, 'faultline.db');
  // Written in reverse name order with unsorted faults: the reader must sort both.
  const histories = syntheticAssets({ assets: 3, oilAssets: 1 });
  writeBuffer(path, [...histories].reverse().map((h) => ({ ...h, faults: [...h.faults].reverse() })));
  const db = openDatabase(path, { sync: 'normal', readonly: true });
  return { path, db, histories, data: new TrainingData(db) };
}

describe('TrainingData', () => {
  it('gives every asset in name order with its sorted faults and its readings per sensor', async () => {
    const { db, histories, data } = await buffer();
    try {
      const assets = data.assets();
      expect(assets.map((a) => a.name)).toEqual(['press1', 'press2', 'press3']);
      expect(data.sensors(assets)).toEqual(['oil', 'temp', 'vib']);
      const read = [...data.histories()];
      expect(read.map((h) => h.asset)).toEqual(histories.map((h) => h.asset));
      read.forEach((h, i) => {
        const expected = histories[i]!;
        expect(h.faults).toEqual(expected.faults);
        expect([...h.series.keys()].sort()).toEqual([...expected.series.keys()].sort());
        for (const [sensor, readings] of expected.series) {
          const got = h.series.get(sensor)!;
          // Columns of 8 bytes a reading, not an object per reading: a retrain holds millions.
          expect(got.ts).toBeInstanceOf(Float64Array);
          expect(got.value).toBeInstanceOf(Float64Array);
          expect(pointsOf(got)).toEqual(pointsOf(readings));
        }
        expect(data.readingTimes(assets[i]!, ['oil', 'temp', 'vib'])).toEqual(readingTimesOf(expected.series, ['oil', 'temp', 'vib']));
      });
    } finally {
      db.close();
    }
  });

  it('reads a time range through the key, bounds included', async () => {
    const { db, histories, data } = await buffer();
    try {
      const [press1] = data.assets();
      const temp = pointsOf(histories[0]!.series.get('temp')!);
      const from = temp[10]!.ts;
      const to = temp[20]!.ts;
      expect(pointsOf(data.history(press1!, ['temp'], { from, to }).series.get('temp')!)).toEqual(temp.slice(10, 21));
      expect(data.readingTimes(press1!, ['temp'], { from, to })).toEqual(temp.slice(10, 21).map((p) => p.ts));
    } finally {
      db.close();
    }
  });

  it('reads one snapshot inside snapshot(), whatever ingest commits meanwhile', async () => {
    const { path, db, data } = await buffer();
    const writer = openDatabase(path, { sync: 'normal' });
    try {
      const [press1] = data.assets();
      const count = (): number => data.history(press1!, ['temp']).series.get('temp')!.ts.length;
      const before = count();
      const inside = data.snapshot(() => {
        const first = count();
        writer.prepare('INSERT INTO readings (series_id, ts, value) VALUES (?, ?, ?)').run(press1!.series.get('temp')!, 9e15, 1);
        writer.prepare("INSERT INTO faults (asset_id, ts, fields) VALUES (?, ?, '{}')").run(press1!.id, 9e15);
        return { first, second: count(), faults: data.faults(press1!).length };
      });
      expect(inside).toEqual({ first: before, second: before, faults: 3 });
      expect(count()).toBe(before + 1);
      expect(data.faults(press1!)).toHaveLength(4);
    } finally {
      writer.close();
      db.close();
    }
  });
});
