// Puts a hand-made champion model into a buffer, so prediction tests need no training run:
// time to fault falls linearly as the mean temperature over 10 minutes rises from 60 to 85.
import type { ServingModel } from '../../src/learn/model.js';
import { openDatabase } from '../../src/store/db.js';
import { ModelRegistry } from '../../src/store/models.js';

export const HAND_MODEL_HORIZON_S = 7200;

/** ttf = 7200 − 288·(temperature_mean − 60), i.e. 0 s at 85 °C, over 10-minute windows, whole windows only. */
export function handModel(): ServingModel {
  return {
    format: 2,
    version: '0',
    trainedAt: Date.UTC(2025, 0, 1),
    horizonS: HAND_MODEL_HORIZON_S,
    recipe: {
      version: 2,
      sensors: ['temperature'],
      conditions: [],
      kinds: ['mean'],
      windowMs: 600_000,
      halfLivesMs: [],
      staleMs: 300_000,
      maxGapMs: 300_000,
      strideMs: 60_000,
      horizonS: HAND_MODEL_HORIZON_S,
      requireFullWindow: true,
      regimes: null,
    },
    ridge: {
      featureNames: ['temperature_mean'],
      mean: [70],
      std: [10],
      coefStd: [-2880],
      coef: [-288],
      intercept: 7200 + 288 * 60,
      interceptStd: 7200 - 288 * 10,
      lambda: 1,
      nTrain: 1000,
      solver: 'cholesky',
    },
    calibration: null,
    alpha: null,
    seen: { '*': Date.UTC(2025, 0, 1) },
    rmse: 123.4,
  };
}

/** Creates (or opens) the buffer at `dbPath` and stores the hand model as champion; returns its version. */
export function seedChampion(dbPath: string, model: ServingModel = handModel()): string {
  const db = openDatabase(dbPath, { sync: 'normal' });
  try {
    const stored = new ModelRegistry(db).insert({
      trainedAt: model.trainedAt,
      dataHash: 'sha256:hand-made',
      card: { version: null, algorithm: 'ridge', metrics: { challenger: { rmse: model.rmse } }, promoted: true },
      params: model,
      promote: true,
    });
    return stored.version;
  } finally {
    db.close();
  }
}
