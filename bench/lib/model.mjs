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

/** Creates the buffer at `dbPath` with that model as its champion, over `sensors`. */
export function seedBenchModel(dbPath, sensors) {
  const db = openDatabase(dbPath, { sync: 'full' });
  try {
    new ModelRegistry(db).insert({ trainedAt: Date.now(), dataHash: 'bench', card: { version: null }, params: benchModel(sensors), promote: true });
  } finally {
    db.close();
  }
}
