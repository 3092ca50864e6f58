// Synthetic degradation data for the training benchmarks: a feature matrix in memory, and a buffer
// (SQLite, written with plain SQL inserts) that can be written in one go or grown later in time.
import { openDatabase } from '../../dist/store/db.js';

// Seeded generators (the demo's), so every run measures the same data.
import { deriveSeed, mulberry32 as uniform, normal as gaussian } from '../../dist/demo/random.js';

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

/** Assets and minutes per asset that yield about `n` samples at a one-minute stride (≈ 0.98 per minute). */
export function bufferShape(n) {
  const assets = n <= 10_000 ? 4 : n <= 100_000 ? 10 : 20;
  return { assets, minutes: Math.ceil(n / assets / 0.984) };
}

/**
 * Writes minutes [from, minutes) of `assets` assets: a reading per sensor per minute, faults every
 * 8–16 h, and half of the sensors drifting over the 2 h before each fault. Each asset's faults and
 * each series' noise come from streams of their own, so writing [0, m) and then [m, m′) gives the
 * same buffer as writing [0, m′) at once: a buffer grows as the line would have gone on.
 */
export function writeSyntheticBuffer(path, { assets, minutes, from = 0, seed = 7 }) {
  const db = openDatabase(path, { sync: 'normal' });
  const st = {
    asset: db.prepare('INSERT INTO assets (name, line) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET line = line RETURNING id').pluck(),
    series: db.prepare('INSERT INTO series (asset_id, sensor, first_ts, last_ts) VALUES (?, ?, ?, ?) ON CONFLICT (asset_id, sensor) DO UPDATE SET last_ts = excluded.last_ts RETURNING id').pluck(),
    reading: db.prepare('INSERT INTO readings (series_id, ts, value) VALUES (?, ?, ?)'),
    fault: db.prepare("INSERT INTO faults (asset_id, ts, fields) VALUES (?, ?, '{}')"),
  };
  const [start, end] = [T0 + from * STEP_MS, T0 + minutes * STEP_MS];
  let faults = 0;
  for (let a = 0; a < assets; a++) {
    const assetSeed = deriveSeed(seed, a);
    db.transaction(() => {
      const assetId = st.asset.get(`press${String(a + 1).padStart(3, '0')}`, 'line1');
      // Up to the first fault at or after the end: the readings before it drift towards it already.
      const times = faultTimes(assetSeed, end);
      for (const f of times.filter((t) => t >= start && t < end)) {
        st.fault.run(assetId, f);
        faults++;
      }
      SENSORS.forEach((sensor, k) => {
        const seriesId = st.series.get(assetId, sensor, T0, end - STEP_MS);
        const g = gaussian(uniform(deriveSeed(assetSeed, k + 1)));
        for (let i = 0; i < from; i++) g(); // the draws of the minutes already written
        const base = 20 + 10 * k;
        const drift = k % 2 === 0 ? 5 + k : 0;
        let next = 0;
        for (let t = start; t < end; t += STEP_MS) {
          while (times[next] < t) next++;
          const ttf = (times[next] - t) / 1000;
          st.reading.run(seriesId, t, base + drift * Math.max(0, 1 - ttf / 7200) + g());
        }
      });
    })();
  }
  db.close();
  return { readings: assets * SENSORS.length * (minutes - from), faults };
}

/** The asset's fault times from T0 up to and including the first at or after `until`. */
function faultTimes(assetSeed, until) {
  const rnd = uniform(deriveSeed(assetSeed, 0));
  const times = [];
  let t = T0;
  do {
    t += (8 + 8 * rnd()) * HOUR;
    times.push(Math.round(t));
  } while (t < until);
  return times;
}
