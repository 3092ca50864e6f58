// Feature rows of synthetic run-to-failure episodes at the scales faultline's features reach:
// ages up to 1e6 s and their squares, sensors near 600 that move by ~0.5, and their squares.
import { mulberry32, normal } from '../../src/demo/random.js';

export interface EpisodeRows {
  readonly p: number;
  readonly featureNames: string[];
  /** All rows, episode after episode (n × p, row-major). */
  readonly X: Float64Array;
  readonly y: Float64Array;
  /** Half-open row range of each episode. */
  readonly episodes: Array<{ readonly rows: readonly [number, number]; readonly end: number }>;
}

const SENSORS = 4;
/** Labels are capped here (seconds). */
export const HORIZON_S = 3e5;

/**
 * `count` episodes of 40–300 rows, each lasting 2e5–1e6 s; label = time left, capped at 3e5 s.
 * Sensor s reads 600 + 40s + a unit offset + 0.4·wear² + noise (spread about 0.5).
 */
export function episodeRows(seed: number, count: number): EpisodeRows {
  const rnd = mulberry32(seed);
  const gauss = normal(rnd);
  const featureNames = ['age', 'age_log', 'age²', ...Array.from({ length: SENSORS }, (_, s) => `s${s}`), ...Array.from({ length: SENSORS }, (_, s) => `s${s}²`)];
  const p = featureNames.length;
  const X: number[] = [];
  const y: number[] = [];
  const episodes: Array<{ rows: readonly [number, number]; end: number }> = [];
  let end = 0;
  for (let e = 0; e < count; e++) {
    const rows = 40 + Math.floor(rnd() * 261);
    const duration = 2e5 + rnd() * 8e5;
    const unit = Array.from({ length: SENSORS }, () => 0.1 * gauss());
    const from = y.length;
    for (let i = 0; i < rows; i++) {
      const age = (duration * i) / (rows - 1);
      const wear = age / duration;
      const sensors = unit.map((u, s) => 600 + 40 * s + u + 0.4 * (s + 1) * wear * wear + 0.1 * gauss());
      X.push(age, Math.log1p(age), age * age, ...sensors, ...sensors.map((v) => v * v));
      y.push(Math.min(duration - age, HORIZON_S));
    }
    end += duration;
    episodes.push({ rows: [from, y.length], end });
  }
  return { p, featureNames, X: Float64Array.from(X), y: Float64Array.from(y), episodes };
}
