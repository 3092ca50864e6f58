// A hand-made champion for benchmarks that need predictions without a training run: time to fault
// falls as the 2-second mean of one sensor rises, so every reading soon has a full window.
import { openDatabase } from '../../dist/store/db.js';
import { ModelRegistry } from '../../dist/store/models.js';

export function benchModel(feature) {
  return {
    version: '0',
    trainedAt: Date.now(),
    horizonS: 7200,
    spec: { windowMs: 2_000, maxGapMs: 1_000, requireFullWindow: true },
    rmse: 100,
    ridge: { featureNames: [feature], mean: [70], std: [10], coefStd: [-2880], coef: [-288], intercept: 24_480, interceptStd: 4320, lambda: 1, nTrain: 1, solver: 'cholesky' },
  };
}

/** Creates the buffer at `dbPath` with that model as its champion. */
export function seedBenchModel(dbPath, feature) {
  const db = openDatabase(dbPath, { sync: 'full' });
  try {
    new ModelRegistry(db).insert({ trainedAt: Date.now(), dataHash: 'bench', card: { version: null }, params: benchModel(feature), promote: true });
  } finally {
    db.close();
  }
}
