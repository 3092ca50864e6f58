// The training table (rows, labels, episodes, skipped counts, training = serving features) and
// feature selection with its model-card notes.
import { describe, expect, it } from 'vitest';
import { buildDataset, readingTimesOf, selectFeatures, sensorsOf, takeRows, type DatasetSpec } from '../../../src/learn/dataset.js';
import { featureVector } from '../../../src/learn/features.js';
import type { Series, SensorSeries } from '../../../src/learn/types.js';

const T0 = 1_764_320_000_000;
const MIN = 60_000;

/** Readings every `stepMs` from `from` to `to` inclusive, value from a function of the time. */
function readings(from: number, to: number, stepMs: number, value: (t: number) => number): Series {
  const out = { ts: [] as number[], value: [] as number[] };
  for (let t = from; t <= to; t += stepMs) {
    out.ts.push(t);
    out.value.push(value(t));
  }
  return out;
}

const spec: DatasetSpec = {
  horizonS: 1800,
  windowMs: 5 * MIN,
  strideMs: MIN,
  maxGapMs: 2.5 * MIN,
  requireFullWindow: true,
  stats: ['mean', 'slope', 'last'],
};

describe('buildDataset', () => {
  // press1: a fault at 60 min, then 45 min more data: the first 15 of them have H (30 min) after them.
  const press1: SensorSeries = new Map([
    ['temp', readings(T0, T0 + 105 * MIN, MIN, (t) => 50 + (t - T0) / MIN)],
    ['vib', readings(T0, T0 + 105 * MIN, 30_000, (t) => Math.sin((t - T0) / 1e5))],
  ]);
  const ds = buildDataset([{ asset: 'press1', series: press1, faults: [T0 + 60 * MIN] }], spec);

  it('names features <sensor>_<stat>, sensors sorted', () => {
    expect(ds.featureNames).toEqual(['temp_mean', 'temp_slope', 'temp_last', 'vib_mean', 'vib_slope', 'vib_last']);
    expect(ds.p).toBe(6);
  });

  it('samples each episode once a minute after a full window, labels time to fault capped at H', () => {
    // Episode 0: readings 0…60 min, samples 5…60 min (56). Episode 1: 60.5…105 min, labelled to 75 min;
    // its first full window ends at 65.5 min: samples 65.5, 66.5, …, 74.5 (10).
    expect(ds.episodes.map((e) => [e.id, e.rows])).toEqual([['press1#0', [0, 56]], ['press1#1', [56, 66]]]);
    expect(ds.rowTs[0]).toBe(T0 + 5 * MIN);
    expect(ds.y[0]).toBe(1800); // 55 min before the fault: capped
    expect(ds.y[55]).toBe(0); // at the fault
    expect(ds.y[50]).toBe(300);
    expect(ds.rowTs[56]).toBe(T0 + 65.5 * MIN);
    expect(ds.y[56]).toBe(1800); // open tail: H of data follows
    expect(Array.from(ds.rowEpisode.subarray(54, 58))).toEqual([0, 0, 1, 1]);
    expect(ds.n).toBe(66);
  });

  it('computes the same features as live prediction does (featureVector) at every row', () => {
    for (let r = 0; r < ds.n; r++) {
      const live = featureVector(press1, ds.rowTs[r] as number, { ...spec }, ds.featureNames);
      live.forEach((v, j) => {
        const trained = ds.X[r * ds.p + j] as number;
        expect(Math.abs(trained - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v)));
      });
    }
    expect(ds.X[0]).toBeCloseTo(53, 9); // temp_mean over (0, 5 min]: readings at 1…5 min, values 51…55
  });

  it('counts what it leaves out', () => {
    // Readings after 75 min have less than H after them: 30 temp minutes + vib half-minutes, as distinct times.
    expect(ds.skipped.censored_readings).toBe(60);
    expect(ds.notes.some((n) => n.includes('censored'))).toBe(true);
    expect(ds.notes[0]).toBe('66 samples from 2 episodes');
  });

  it('orders assets by name, skips short episodes and assets without labels, fills missing sensors with NaN', () => {
    const a: SensorSeries = new Map([['temp', readings(T0, T0 + 40 * MIN, MIN, () => 1)]]);
    const b: SensorSeries = new Map([
      ['temp', readings(T0, T0 + 40 * MIN, MIN, (t) => t - T0)],
      ['oil', readings(T0, T0 + 40 * MIN, MIN, (t) => (t - T0) / 2)],
    ]);
    const c: SensorSeries = new Map([['temp', readings(T0, T0 + 10 * MIN, MIN, () => 1)]]);
    const out = buildDataset(
      [
        { asset: 'b', series: b, faults: [T0 + 2 * MIN, T0 + 20 * MIN] }, // first episode is shorter than the window
        { asset: 'c', series: c, faults: [] }, // 10 min of data, no fault: all censored
        { asset: 'a', series: a, faults: [T0 + 40 * MIN] },
      ],
      spec,
    );
    expect(out.featureNames.slice(0, 3)).toEqual(['oil_mean', 'oil_slope', 'oil_last']);
    expect(out.episodes.map((e) => e.id)).toEqual(['a#0', 'b#1']);
    expect(out.skipped.episodes_shorter_than_window).toBe(1);
    expect(out.skipped.assets_without_labelled_episode).toBe(1);
    expect(out.X[0]).toBeNaN(); // asset a has no oil sensor
    expect(out.X[3]).toBe(1); // a's temp_mean
  });

  it('uses only the listed sensors', () => {
    const only = buildDataset([{ asset: 'press1', series: press1, faults: [T0 + 60 * MIN] }], { ...spec, sensors: ['vib', 'vib'] });
    expect(only.featureNames).toEqual(['vib_mean', 'vib_slope', 'vib_last']);
  });

  it('lists sensors and distinct reading times', () => {
    expect(sensorsOf([{ asset: 'x', series: press1, faults: [] }])).toEqual(['temp', 'vib']);
    const times = readingTimesOf(press1, ['temp', 'vib']);
    expect(times).toHaveLength(211);
    expect(times[1]).toBe(T0 + 30_000);
  });
});

describe('selectFeatures', () => {
  // Columns: s1_mean (constant 518.67), s1_std (constant 0), s7_slope (NaN in 3 of 7 rows),
  // s2_mean (varying, NaN in row 6), s3_max (NaN in no row, varying).
  const N = NaN;
  const rows7 = [
    [518.67, 0, 1, 10, 5],
    [518.67, 0, N, 11, 6],
    [518.67, 0, 2, 12, 4],
    [518.67, 0, N, 13, 7],
    [518.67, 0, 3, 14, 5],
    [518.67, 0, N, 15, 8],
    [518.67, 0, 4, N, 9],
  ];
  const ds = {
    featureNames: ['s1_mean', 's1_std', 's7_slope', 's2_mean', 's3_max'],
    X: Float64Array.from(rows7.flat()),
    y: Float64Array.from([1, 2, 3, 4, 5, 6, 7]),
    p: 5,
    rowEpisode: Int32Array.from([0, 0, 0, 1, 1, 1, 1]),
  };

  it('drops features missing in more than 10% of the rows, then constant ones, then incomplete rows', () => {
    const sel = selectFeatures(ds, [0, 1, 2, 3, 4, 5, 6]);
    expect(sel.featureNames).toEqual(['s3_max']);
    expect(sel.columns).toEqual([4]);
    expect(sel.notes).toEqual([
      's1_* dropped: constant (518.67)',
      's7_slope dropped: missing in 43% of samples',
      's2_mean dropped: missing in 14% of samples',
    ]);
    expect(sel.droppedRows).toBe(0);
  });

  it('keeps a feature missing in exactly the allowed share and drops the rows it is missing in', () => {
    const sel = selectFeatures(ds, [0, 1, 2, 3, 4, 5, 6], { maxMissingFraction: 1 / 7 });
    expect(sel.featureNames).toEqual(['s2_mean', 's3_max']);
    expect(Array.from(sel.rows)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sel.droppedRows).toBe(1);
    expect(sel.notes).toContain('1 of 7 samples dropped: a kept feature was missing');
  });

  it('decides on the given rows only', () => {
    const sel = selectFeatures(ds, [0, 2, 4]); // s7_slope present, s3_max 5, 4, 5
    expect(sel.featureNames).toEqual(['s7_slope', 's2_mean', 's3_max']);
    expect(Array.from(sel.rows)).toEqual([0, 2, 4]);
    const constantHere = selectFeatures(ds, [0, 4]); // s3_max is 5 in both
    expect(constantHere.notes).toContain('s3_max dropped: constant (5)');
  });

  it('names a whole sensor once when all its features are dropped for missing values', () => {
    const both = {
      featureNames: ['s7_mean', 's7_slope', 's2_mean'],
      X: Float64Array.from([NaN, NaN, 1, 2, 3, 2, NaN, NaN, 3]),
      y: Float64Array.from([1, 2, 3]),
      p: 3,
      rowEpisode: Int32Array.from([0, 0, 0]),
    };
    expect(selectFeatures(both, [0, 1, 2]).notes).toEqual(['s7_* dropped: missing in 67% of samples']);
  });

  it('copies rows and columns densely, leaving out rows with a missing value', () => {
    const t = takeRows(ds, [6, 5, 4], [3, 4]);
    expect(t.n).toBe(2);
    expect(Array.from(t.X)).toEqual([15, 8, 14, 5]);
    expect(Array.from(t.y)).toEqual([6, 5]);
    expect(Array.from(t.rowEpisode)).toEqual([1, 1]);
    expect(t.featureNames).toEqual(['s2_mean', 's3_max']);
    expect(t.droppedRows).toBe(1);
  });
});
