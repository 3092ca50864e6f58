// Synthetic degradation data for the training benchmark: a feature matrix in memory, and a buffer
// (SQLite, written with plain SQL inserts) whose retrain yields about the requested sample count.
import { openDatabase } from '../../dist/store/db.js';

// Seeded generators (the demo's), so every run measures the same data.
import { mulberry32 as uniform, normal as gaussian } from '../../dist/demo/random.js';

export { gaussian, uniform };

/** n × p row-major features with a known linear signal, and labels in [0, h]. */
export function syntheticMatrix(n, p, h = 7200, seed = 1) {
  const rnd = uniform(seed);
  const g = gaussian(rnd);
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  const w = Float64Array.from({ length: p }, (_, j) => (j % 3 === 0 ? -400 : j % 3 === 1 ? 150 : 0) / (1 + j / 10));
  for (let i = 0; i < n; i++) {
    let s = h / 2;
    for (let j = 0; j < p; j++) {
      const v = 50 + 10 * g() + (j > 0 ? 0.3 * (X[i * p + j - 1] - 50) : 0);
      X[i * p + j] = v;
      s += (w[j] * (v - 50)) / 10;
    }
    y[i] = Math.min(h, Math.max(0, s + 300 * g()));
  }
  return { X, y };
}

export const SENSORS = ['current', 'flow', 'oil_temp', 'pressure', 'rpm', 'temperature', 'torque', 'vibration'];
export const STEP_MS = 60_000;
const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;

/**
 * Writes a buffer with `assets` assets, a reading per sensor per minute, faults every 8–16 h, and
 * half of the sensors drifting over the 2 h before each fault. `minutes` per asset sets its size:
 * with stride = 1 min and window = 10 min, an asset yields about one sample per minute of labelled history.
 */
export function writeSyntheticBuffer(path, { assets, minutes, seed = 7 }) {
  const db = openDatabase(path, { sync: 'normal' });
  const rnd = uniform(seed);
  const g = gaussian(rnd);
  const insertAsset = db.prepare('INSERT INTO assets (name, line) VALUES (?, ?)');
  const insertSeries = db.prepare('INSERT INTO series (asset_id, sensor, first_ts, last_ts) VALUES (?, ?, ?, ?)');
  const insertReading = db.prepare('INSERT INTO readings (series_id, ts, value) VALUES (?, ?, ?)');
  const insertFault = db.prepare("INSERT INTO faults (asset_id, ts, fields) VALUES (?, ?, '{}')");
  let readings = 0;
  let faults = 0;
  for (let a = 0; a < assets; a++) {
    db.transaction(() => {
      const end = T0 + minutes * STEP_MS;
      const assetId = Number(insertAsset.run(`press${String(a + 1).padStart(3, '0')}`, 'line1').lastInsertRowid);
      const faultTimes = [];
      for (let t = T0 + (8 + 8 * rnd()) * HOUR; t < end - HOUR; t += (8 + 8 * rnd()) * HOUR) faultTimes.push(Math.round(t));
      for (const f of faultTimes) insertFault.run(assetId, f);
      faults += faultTimes.length;
      SENSORS.forEach((sensor, k) => {
        const seriesId = Number(insertSeries.run(assetId, sensor, T0, end - STEP_MS).lastInsertRowid);
        const base = 20 + 10 * k;
        const drift = k % 2 === 0 ? 5 + k : 0;
        let next = 0;
        for (let t = T0; t < end; t += STEP_MS) {
          while (next < faultTimes.length && faultTimes[next] < t) next++;
          const ttf = next < faultTimes.length ? (faultTimes[next] - t) / 1000 : Infinity;
          insertReading.run(seriesId, t, base + drift * Math.max(0, 1 - ttf / 7200) + g());
        }
        readings += Math.ceil((end - T0) / STEP_MS);
      });
    })();
  }
  db.close();
  return { readings, faults };
}

/** The `model` config section the benchmark trains with: 8 sensors × 5 statistics = 40 features. */
export const BENCH_MODEL = {
  horizon: 2 * HOUR,
  window: 10 * 60_000,
  features: ['mean', 'std', 'min', 'max', 'slope'],
  stride: STEP_MS,
  full_window: true,
  max_gap: 'auto',
  ridge: 'auto',
  test_fraction: 0.2,
  min_samples: 200,
};
