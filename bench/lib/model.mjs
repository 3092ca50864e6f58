// A hand-made champion for benchmarks that need predictions without a training run, with the
// default features (ewma at three half-lives, age, squares) and a calibration, so each reading costs
// what it costs in production: time to fault falls as the 2-second ewma of the first sensor rises.
import { openDatabase } from '../../dist/store/db.js';
import { ModelRegistry } from '../../dist/store/models.js';
import { featureNames, halfLivesOf } from '../../dist/learn/recipe.js';

const WINDOW_MS = 2_000;
const HORIZON_S = 7200;

export function benchModel(sensors) {
  const ones = sensors.map(() => 1);
  const recipe = {
    version: 2,
    sensors,
    conditions: [],
    kinds: ['ewma', 'age', 'squares'],
    windowMs: WINDOW_MS,
    halfLivesMs: halfLivesOf(WINDOW_MS),
    staleMs: 3 * WINDOW_MS,
    maxGapMs: WINDOW_MS / 2,
    strideMs: 1_000,
    horizonS: HORIZON_S,
    requireFullWindow: false,
    // One regime; readings scaled as (value - 70) / 5.
    regimes: { regimes: null, scaling: { sensors, mean: [sensors.map(() => 70)], std: [sensors.map(() => 5)], count: [ones.map(() => 1000)], kept: ones.map(() => true) } },
  };
  const names = featureNames(recipe);
  // Every term counts a little; the first sensor's shortest ewma carries the signal (scaled units).
  const coef = names.map((name, j) => (j === 0 ? -2880 : name === 'age' ? -0.001 : 1));
  return {
    format: 2,
    version: '0',
    trainedAt: Date.now(),
    horizonS: HORIZON_S,
    recipe,
    ridge: { featureNames: names, mean: names.map(() => 0), std: names.map(() => 1), coefStd: coef, coef, intercept: 3600, interceptStd: 3600, lambda: 1, nTrain: 1, solver: 'cholesky' },
    calibration: { x: [-10_000, 0, 3600, 20_000], y: [0, 300, 3600, HORIZON_S], pairs: 4, fittedKnots: 4 },
    alpha: null,
    seen: {},
    rmse: 100,
  };
}

/**
 * The bench model of earlier releases, to compare with: one feature, the 2-second window mean of the
 * first sensor, in the model format before issue 14 (the agent still serves it).
 */
export function windowMeanModel(sensors) {
  return {
    version: '0',
    trainedAt: Date.now(),
    horizonS: HORIZON_S,
    spec: { windowMs: WINDOW_MS, maxGapMs: WINDOW_MS / 2, requireFullWindow: true },
    rmse: 100,
    ridge: { featureNames: [`${sensors[0]}_mean`], mean: [70], std: [10], coefStd: [-2880], coef: [-288], intercept: 24_480, interceptStd: 4320, lambda: 1, nTrain: 1, solver: 'cholesky' },
  };
}

/** Creates the buffer at `dbPath` with a champion over `sensors`: benchModel's, or `make`'s. */
export function seedBenchModel(dbPath, sensors, make = benchModel) {
  const db = openDatabase(dbPath, { sync: 'full' });
  try {
    new ModelRegistry(db).insert({ trainedAt: Date.now(), dataHash: 'bench', card: { version: null }, params: make(sensors), promote: true });
  } finally {
    db.close();
  }
}
