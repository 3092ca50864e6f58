// Regime finding on operating conditions like C-MAPSS FD002's six, on one noisy operating point,
// and on one continuously varying setting (REPORT.md 2.1).
import { describe, expect, it } from 'vitest';
import { findRegimes, regimeOf, REGIME_SAMPLE, SILHOUETTE_MIN, type RegimeModel } from '../../../src/learn/regimes.js';
import { mulberry32, normal } from '../../../src/demo/random.js';

const FIELDS = ['altitude', 'mach', 'tra'];
// FD002's six operating points (altitude in kft, Mach number, throttle resolver angle).
const POINTS = [
  [0, 0, 100],
  [10, 0.25, 100],
  [20, 0.7, 100],
  [25, 0.62, 60],
  [35, 0.84, 100],
  [42, 0.84, 100],
];

/** n readings at randomly chosen operating points, with FD002-sized noise; also which point each is at. */
function sixPoints(seed: number, n: number): { values: Float64Array; truth: number[] } {
  const rnd = mulberry32(seed);
  const gauss = normal(rnd);
  const truth: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * POINTS.length);
    const [alt, mach, tra] = POINTS[k] as [number, number, number];
    truth.push(k);
    values.push(alt + 0.003 * gauss(), mach + 0.0003 * gauss(), tra);
  }
  return { values: Float64Array.from(values), truth };
}

function rowOf(values: Float64Array, width: number, i: number): Float64Array {
  return values.subarray(i * width, (i + 1) * width);
}

/** Every reading of one true point gets the same regime, and different points get different ones. */
function expectAssignedRight(model: RegimeModel, values: Float64Array, truth: number[]): void {
  const regimeOfPoint = new Map<number, number>();
  truth.forEach((k, i) => {
    const r = regimeOf(model, rowOf(values, FIELDS.length, i));
    expect(r).not.toBeNull();
    if (!regimeOfPoint.has(k)) regimeOfPoint.set(k, r as number);
    expect(r).toBe(regimeOfPoint.get(k));
  });
  expect(new Set(regimeOfPoint.values()).size).toBe(regimeOfPoint.size);
}

describe('findRegimes', () => {
  it('finds six well-separated operating points and assigns each reading to its own', () => {
    const { values, truth } = sixPoints(1, 6000);
    const model = findRegimes(values, FIELDS);
    expect(model.centroids).toHaveLength(6);
    expect(model.silhouette).toBeGreaterThan(0.99);
    expect(model.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expectAssignedRight(model, values, truth);
  });

  it('fits on an evenly spaced subsample of a large buffer and still assigns every reading right', () => {
    const { values, truth } = sixPoints(2, 3 * REGIME_SAMPLE);
    const model = findRegimes(values, FIELDS);
    expect(model.readings).toBe(3 * REGIME_SAMPLE);
    expect(model.sampled).toBe(REGIME_SAMPLE);
    expect(model.centroids).toHaveLength(6);
    expectAssignedRight(model, values, truth);
  });

  it('gives one regime for a single operating point with noise', () => {
    const rnd = mulberry32(3);
    const gauss = normal(rnd);
    const values = Float64Array.from({ length: 3 * 5000 }, (_, i) => (i % 3) * 10 + gauss());
    const model = findRegimes(values, FIELDS);
    expect(model.centroids).toHaveLength(1);
    expect(model.silhouette).toBeLessThan(SILHOUETTE_MIN);
    expect(regimeOf(model, [5, 5, 5])).toBe(0);
  });

  it('gives one regime for one continuously varying setting (a speed swept over its range)', () => {
    const rnd = mulberry32(4);
    const model = findRegimes(Float64Array.from({ length: 5000 }, () => 1000 + 2000 * rnd()), ['speed']);
    expect(model.centroids).toHaveLength(1);
    // The case the 0.8 threshold is set above: about 0.71 (REPORT.md 2.1).
    expect(model.silhouette).toBeGreaterThan(0.6);
    expect(model.silhouette).toBeLessThan(SILHOUETTE_MIN);
  });

  it('splits two operating points 10σ apart and not two 3σ apart', () => {
    const twoPoints = (sep: number): Float64Array => {
      const gauss = normal(mulberry32(5));
      return Float64Array.from({ length: 6000 }, (_, i) => (i % 2) * sep + gauss());
    };
    expect(findRegimes(twoPoints(10), ['load']).centroids).toHaveLength(2);
    expect(findRegimes(twoPoints(3), ['load']).centroids).toHaveLength(1);
  });

  it('drops a constant field and skips rows with a missing value', () => {
    const { values } = sixPoints(6, 3000);
    const withConstant = Float64Array.from({ length: 3000 * 4 }, (_, i) => (i % 4 === 3 ? 7 : (values[Math.floor(i / 4) * 3 + (i % 4)] as number)));
    withConstant[5 * 4 + 1] = NaN;
    const model = findRegimes(withConstant, [...FIELDS, 'constant']);
    expect(model.used).toEqual([0, 1, 2]);
    expect(model.skipped).toBe(1);
    expect(model.readings).toBe(2999);
    expect(model.centroids).toHaveLength(6);
    expect(regimeOf(model, [0, 0, 100, NaN])).not.toBeNull(); // the dropped field is not read
    expect(regimeOf(model, [0, NaN, 100, 7])).toBeNull();
  });

  it('gives one regime when every field is constant or there is no data', () => {
    const constant = findRegimes(new Float64Array(20).fill(3), ['a', 'b']);
    expect(constant.used).toEqual([]);
    expect(constant.centroids).toEqual([[]]);
    expect(regimeOf(constant, [1, 2])).toBe(0);
    expect(findRegimes(new Float64Array(0), ['a']).centroids).toHaveLength(1);
    expect(() => findRegimes(new Float64Array(5), ['a', 'b'])).toThrow(RangeError);
  });

  it('is deterministic and survives a JSON round trip', () => {
    const { values, truth } = sixPoints(7, 4000);
    const model = findRegimes(values, FIELDS);
    expect(findRegimes(values, FIELDS)).toEqual(model);
    const stored = JSON.parse(JSON.stringify(model)) as RegimeModel;
    expect(stored).toEqual(model);
    truth.forEach((_, i) => expect(regimeOf(stored, rowOf(values, 3, i))).toBe(regimeOf(model, rowOf(values, 3, i))));
  });
});

describe('regimeOf', () => {
  it('takes the nearest centroid in standardized units, ties to the lower index', () => {
    const model: RegimeModel = {
      fields: ['a', 'b'],
      used: [0, 1],
      mean: [10, 0],
      std: [2, 100],
      centroids: [
        [-1, 0],
        [1, 0],
      ],
      scores: [],
      silhouette: 0.9,
      readings: 2,
      sampled: 2,
      skipped: 0,
    };
    expect(regimeOf(model, [10, 0])).toBe(0); // equidistant
    expect(regimeOf(model, [10.1, -50])).toBe(1); // 0.05 towards centroid 1; b moves both alike
    expect(regimeOf(model, [7, 0])).toBe(0);
  });
});
