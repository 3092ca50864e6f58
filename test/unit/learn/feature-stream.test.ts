// The feature stream against features computed independently here, from the definitions in
// REPORT-style plain loops: ewma, baseline, age, squares, window statistics, regimes and faults.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeatureStream, type Normalizer } from '../../../src/learn/feature-stream.js';
import { featureNames, type FeatureKind, type Recipe } from '../../../src/learn/recipe.js';
import { testRecipe } from '../../helpers/recipe-rows.js';

const T0 = 1_764_320_000_000;
const W = 30_000;

const recipe = (overrides: Partial<Recipe> = {}): Recipe => testRecipe({ sensors: ['a', 'b'], windowMs: W, strideMs: 1000, horizonS: 125 }, overrides);

interface Reading {
  ts: number;
  sensor: string;
  value: number;
}

/** The definitions, written out with no state: every feature from all the episode's readings up to t. */
function expected(r: Recipe, readings: Reading[], t: number, z: (reading: Reading) => number): Map<string, number> {
  const episode = readings.filter((x) => x.ts <= t);
  const t0 = Math.min(...episode.map((x) => x.ts));
  const out = new Map<string, number>();
  const ewmas: Array<[string, number]> = [];
  for (const sensor of r.sensors) {
    const mine = episode.filter((x) => x.sensor === sensor);
    const last = mine.length > 0 ? Math.max(...mine.map((x) => x.ts)) : -Infinity;
    for (const h of r.halfLivesMs) {
      let sw = 0;
      let swz = 0;
      for (const x of mine) {
        const w = 2 ** (-(last - x.ts) / h);
        sw += w;
        swz += w * z(x);
      }
      const name = `${sensor}_ewm_${h / 1000}s`;
      const value = mine.length === 0 || t - last > r.staleMs ? NaN : swz / sw;
      out.set(name, value);
      ewmas.push([`${name}²`, value * value]);
    }
    const first = mine.filter((x) => x.ts < t0 + r.windowMs);
    out.set(`${sensor}_baseline`, first.length === 0 ? NaN : first.reduce((s, x) => s + z(x), 0) / first.length);
  }
  out.set('age', (t - t0) / 1000);
  out.set('age_log', Math.log(1 + (t - t0) / 1000));
  for (const [name, value] of ewmas) out.set(name, value);
  return out;
}

function rowOf(stream: FeatureStream, r: Recipe, t: number): Map<string, number> {
  const row = new Float64Array(stream.width);
  stream.row(t, row);
  return new Map(featureNames(r).map((name, j) => [name, row[j] as number]));
}

function feed(stream: FeatureStream, readings: Reading[]): void {
  const byTs = new Map<number, Array<[string, number]>>();
  for (const x of readings) byTs.set(x.ts, [...(byTs.get(x.ts) ?? []), [x.sensor, x.value]]);
  for (const [ts, values] of [...byTs].sort((a, b) => a[0] - b[0])) stream.push(ts, values);
}

const close = (a: number, b: number): boolean => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b));

/** Readings of sensors a and b at irregular times: some alone, some together, some gaps. */
const arbReadings = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('a', 'b', 'ab'), fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 500, max: 700, noNaN: true })), {
    minLength: 1,
    maxLength: 60,
  })
  .map((steps) => {
    let ts = T0;
    return steps.flatMap(([dt, which, va, vb]) => {
      ts += dt;
      return [...(which.includes('a') ? [{ ts, sensor: 'a', value: va }] : []), ...(which.includes('b') ? [{ ts, sensor: 'b', value: vb }] : [])];
    });
  });

describe('FeatureStream', () => {
  it('names its columns for a technician', () => {
    expect(featureNames(recipe())).toEqual([
      'a_ewm_10s', 'a_ewm_30s', 'a_ewm_1m30s', 'a_baseline',
      'b_ewm_10s', 'b_ewm_30s', 'b_ewm_1m30s', 'b_baseline',
      'age', 'age_log',
      'a_ewm_10s²', 'a_ewm_30s²', 'a_ewm_1m30s²', 'b_ewm_10s²', 'b_ewm_30s²', 'b_ewm_1m30s²',
    ]);
  });

  it('computes every feature as defined, at every reading time', () => {
    const r = { ...recipe(), halfLivesMs: [10_000, 30_000, 90_000] };
    fc.assert(
      fc.property(arbReadings, (readings) => {
        const stream = new FeatureStream(r);
        const times = [...new Set(readings.map((x) => x.ts))].sort((a, b) => a - b);
        for (const t of times) {
          feed(stream, readings.filter((x) => x.ts === t));
          const got = rowOf(stream, r, t);
          const want = expected(r, readings, t, (x) => x.value);
          for (const [name, value] of want) {
            const name2 = name.replace('_90s', '_1m30s');
            if (!close(got.get(name2) as number, value)) return false;
          }
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('marks an ewma missing once its sensor has been silent past staleMs, and the baseline never', () => {
    const r = recipe({ staleMs: 5_000 });
    const stream = new FeatureStream(r);
    stream.push(T0, [['a', 1], ['b', 2]]);
    stream.push(T0 + 10_000, [['b', 4]]);
    const row = rowOf(stream, r, T0 + 10_000);
    expect(row.get('a_ewm_10s')).toBeNaN();
    expect(row.get('a_baseline')).toBe(1);
    expect(row.get('b_ewm_10s')).toBeCloseTo((2 * 0.5 + 4) / 1.5, 12);
  });

  it('starts a new episode after a fault and ignores readings from before it', () => {
    const r = recipe();
    const stream = new FeatureStream(r);
    stream.push(T0, [['a', 100], ['b', 100]]);
    stream.fault(T0 + 5_000);
    stream.push(T0 + 4_000, [['a', 999]]); // late, from the closed episode
    stream.push(T0 + 6_000, [['a', 1], ['b', 2]]);
    const row = rowOf(stream, r, T0 + 6_000);
    expect(stream.episodeStart).toBe(T0 + 6_000);
    expect([row.get('age'), row.get('a_ewm_10s'), row.get('a_baseline'), row.get('b_ewm_30s²')]).toEqual([0, 1, 1, 4]);
  });

  it('ignores a redelivered or late reading of a sensor', () => {
    const r = recipe();
    const once = new FeatureStream(r);
    const twice = new FeatureStream(r);
    for (const s of [once, twice]) {
      s.push(T0, [['a', 1], ['b', 1]]);
      s.push(T0 + 1_000, [['a', 3], ['b', 5]]);
    }
    twice.push(T0 + 1_000, [['a', 50]]);
    twice.push(T0 + 500, [['b', -7]]);
    expect(rowOf(twice, r, T0 + 1_000)).toEqual(rowOf(once, r, T0 + 1_000));
  });

  it('rescales each reading within its regime, holding the last condition values', () => {
    const r = recipe({ sensors: ['a'], conditions: ['load'], kinds: ['ewma', 'baseline'] as FeatureKind[] });
    // Two regimes by load: below 50 the machine runs light, above it heavy; a reads 10 higher when heavy.
    const normalizer: Normalizer = {
      regimeOf: (c) => (Number.isNaN(c[0]) ? -1 : (c[0] as number) > 50 ? 1 : 0),
      z: (regime, _sensor, value) => (regime === 1 ? value - 10 : value),
    };
    const stream = new FeatureStream(r, normalizer);
    stream.push(T0, [['a', 5]]); // no load seen yet: not taken
    stream.push(T0 + 1_000, [['load', 80], ['a', 15]]);
    stream.push(T0 + 2_000, [['a', 15]]); // still heavy
    stream.push(T0 + 3_000, [['load', 20], ['a', 5]]);
    const row = rowOf(stream, r, T0 + 3_000);
    expect(row.get('a_baseline')).toBe(5);
    expect(row.get('a_ewm_10s')).toBeCloseTo(5, 12);
    expect(row.has('load_ewm_10s')).toBe(false);
  });

  it('computes window statistics for the recipe of earlier releases', () => {
    const r = recipe({ sensors: ['a'], kinds: ['mean', 'slope', 'last'] as FeatureKind[], halfLivesMs: [] });
    const stream = new FeatureStream(r);
    for (let i = 0; i <= 40; i++) stream.push(T0 + i * 1_000, [['a', 2 * i]]);
    const row = rowOf(stream, r, T0 + 40_000);
    // (t − 30 s, t]: readings 11…40, mean 2·25.5, slope 2 per second, last 80.
    expect([row.get('a_mean'), row.get('a_slope'), row.get('a_last')]).toEqual([51, 2, 80]);
    expect(featureNames(r)).toEqual(['a_mean', 'a_slope', 'a_last']);
  });

  it('continues from a saved state exactly as if it had never stopped', () => {
    const r = recipe({ kinds: ['ewma', 'baseline', 'age', 'squares', 'mean', 'slope'] as FeatureKind[] });
    fc.assert(
      fc.property(arbReadings, fc.nat(), (readings, cutAt) => {
        const times = [...new Set(readings.map((x) => x.ts))].sort((a, b) => a - b);
        const cut = times[cutAt % times.length] as number;
        const whole = new FeatureStream(r);
        feed(whole, readings);
        const first = new FeatureStream(r);
        feed(first, readings.filter((x) => x.ts <= cut));
        const resumed = FeatureStream.resume(r, null, JSON.parse(JSON.stringify(first.state())));
        feed(resumed, readings.filter((x) => x.ts > cut));
        const t = times[times.length - 1] as number;
        return [...rowOf(whole, r, t)].every(([name, value]) => close(rowOf(resumed, r, t).get(name) as number, value));
      }),
      { numRuns: 100 },
    );
  });
});
