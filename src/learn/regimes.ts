// Operating regimes from the condition fields (`model.conditions`): found in training by k-means
// over k = 2..8, kept only when clearly separated (REPORT.md 2.1), and a reading's regime. Pure;
// the model is plain JSON, stored with the model and applied at prediction.
import { kMeans, nearest, simplifiedSilhouette } from './kmeans.js';

/** k-means runs on at most this many condition vectors, evenly spaced through the training readings. */
export const REGIME_SAMPLE = 20_000;
export const REGIME_K_MAX = 8;
export const KMEANS_MAX_ITERATIONS = 100;
/**
 * Regimes are kept only when the best simplified silhouette exceeds this: one uniformly varying
 * setting scores 0.71 and two operating points 5σ apart 0.83 (REPORT.md 2.1).
 */
export const SILHOUETTE_MIN = 0.8;

// A field whose std is at most this share of its magnitude is constant (FD001's setting3).
const CONSTANT_FIELD = 1e-12;

export interface RegimeModel {
  /** The condition fields, in the order values are given to regimeOf. */
  readonly fields: string[];
  /** Indices into `fields` of the fields used; constant ones are left out. */
  readonly used: number[];
  /** Mean and population std of each used field over the training readings. */
  readonly mean: number[];
  readonly std: number[];
  /** One centroid per regime, in standardized used fields; a single regime's is the mean (zeros). */
  readonly centroids: number[][];
  /** The simplified silhouette of each k tried, and of the best one (null when none was tried). */
  readonly scores: Array<{ k: number; silhouette: number }>;
  readonly silhouette: number | null;
  /** Condition vectors: finite ones seen, the subsample k-means ran on, and rows skipped for a non-finite used field. */
  readonly readings: number;
  readonly sampled: number;
  readonly skipped: number;
}

/** Mean and population std of column t over the given rows (two passes). */
function columnStats(values: Float64Array, width: number, rows: Int32Array, t: number): { mean: number; std: number } {
  let sum = 0;
  for (const r of rows) sum += values[r * width + t] as number;
  const mean = sum / rows.length;
  let ss = 0;
  for (const r of rows) ss += ((values[r * width + t] as number) - mean) ** 2;
  return { mean, std: Math.sqrt(ss / rows.length) };
}

/**
 * Regimes from the training readings' condition vectors (`values`: one row of fields.length
 * values per reading). Each field is standardized over all finite rows and dropped if constant;
 * k-means with k = 2..8 runs on an evenly spaced subsample of at most REGIME_SAMPLE rows (no
 * randomness: the same data gives the same regimes, and millions of readings cost what 20k do);
 * the k with the best simplified silhouette is kept when it exceeds SILHOUETTE_MIN (smallest k on
 * ties), otherwise there is one regime. Rows with a non-finite value in a field are skipped.
 */
export function findRegimes(values: Float64Array, fields: readonly string[]): RegimeModel {
  const width = fields.length;
  if (width === 0 || values.length % width !== 0) throw new RangeError(`findRegimes: ${values.length} values for ${width} fields`);
  const finite: number[] = [];
  for (let r = 0; r < values.length / width; r++) {
    let ok = true;
    for (let t = 0; t < width; t++) ok &&= Number.isFinite(values[r * width + t]);
    if (ok) finite.push(r);
  }
  const rows = Int32Array.from(finite);
  const skipped = values.length / width - rows.length;
  const stats = fields.map((_, t) => (rows.length > 0 ? columnStats(values, width, rows, t) : { mean: 0, std: 0 }));
  const used = stats.flatMap((s, t) => (s.std > CONSTANT_FIELD * (1 + Math.abs(s.mean)) ? [t] : []));
  const d = used.length;
  const mean = used.map((t) => (stats[t] as { mean: number }).mean);
  const std = used.map((t) => (stats[t] as { std: number }).std);
  const sampled = Math.min(rows.length, REGIME_SAMPLE);
  const points = new Float64Array(sampled * d);
  for (let i = 0; i < sampled; i++) {
    const r = rows[Math.floor((i * rows.length) / sampled)] as number;
    used.forEach((t, u) => (points[i * d + u] = ((values[r * width + t] as number) - (mean[u] as number)) / (std[u] as number)));
  }
  const base = {
    fields: [...fields],
    used,
    mean,
    std,
    readings: rows.length,
    sampled,
    skipped,
  };
  const single = { ...base, centroids: [new Array<number>(d).fill(0)], scores: [], silhouette: null };
  if (d === 0 || sampled < 2) return single;
  const tried = [];
  for (let k = 2; k <= Math.min(REGIME_K_MAX, sampled); k++) {
    const result = kMeans(points, d, k, KMEANS_MAX_ITERATIONS);
    tried.push({ result, silhouette: simplifiedSilhouette(points, d, result) });
  }
  const best = tried.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  const scores = tried.map((t) => ({ k: t.result.k, silhouette: t.silhouette }));
  if (!(best.silhouette > SILHOUETTE_MIN)) return { ...single, scores, silhouette: best.silhouette };
  const centroids = Array.from({ length: best.result.k }, (_, c) => Array.from(best.result.centroids.subarray(c * d, c * d + d)));
  return { ...base, centroids, scores, silhouette: best.silhouette };
}

/**
 * The regime of one condition vector (values in `model.fields` order): the nearest centroid in
 * standardized used fields, ties to the lower index. Null when a used field is not finite, so a
 * missing condition is never taken for regime 0.
 */
export function regimeOf(model: RegimeModel, values: ArrayLike<number>): number | null {
  if (model.centroids.length === 1) return 0;
  const d = model.used.length;
  const z = new Float64Array(d);
  for (let u = 0; u < d; u++) {
    const v = values[model.used[u] as number] as number;
    if (!Number.isFinite(v)) return null;
    z[u] = (v - (model.mean[u] as number)) / (model.std[u] as number);
  }
  return nearest(z, 0, Float64Array.from(model.centroids.flat()), model.centroids.length, d);
}
