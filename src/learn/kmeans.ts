// Lloyd's k-means with a deterministic farthest-first start, and the simplified silhouette that
// judges it: the numeric core of regime finding (REPORT.md 2.1). Pure; no randomness.

/** Points are rows of a row-major Float64Array with `d` values each; centroids likewise. */
export interface KMeans {
  readonly k: number;
  readonly centroids: Float64Array;
  /** Each point's cluster after the last assignment step. */
  readonly labels: Int32Array;
  readonly iterations: number;
}

function distance2(a: Float64Array, ai: number, b: Float64Array, bi: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = (a[ai + t] as number) - (b[bi + t] as number);
    s += v * v;
  }
  return s;
}

/** Index of the centroid nearest point `i` (squared Euclidean; ties to the lower index). */
export function nearest(points: Float64Array, i: number, centroids: Float64Array, k: number, d: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const dist = distance2(points, i * d, centroids, c * d, d);
    if (dist < bestD) {
      bestD = dist;
      best = c;
    }
  }
  return best;
}

/**
 * Farthest-first start: centroid 1 is the point nearest the mean, each next one the point farthest
 * from its nearest chosen centroid (ties to the first index). Deterministic, and it puts one
 * centroid in each well-separated group before splitting any.
 */
function farthestFirst(points: Float64Array, n: number, d: number, k: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] = (mean[t] as number) + (points[i * d + t] as number) / n;
  const centroids = new Float64Array(k * d);
  let first = 0;
  let firstD = Infinity;
  for (let i = 0; i < n; i++) {
    const dist = distance2(points, i * d, mean, 0, d);
    if (dist < firstD) [first, firstD] = [i, dist];
  }
  centroids.set(points.subarray(first * d, first * d + d), 0);
  const gap = Float64Array.from({ length: n }, (_, i) => distance2(points, i * d, centroids, 0, d));
  for (let c = 1; c < k; c++) {
    let far = 0;
    for (let i = 1; i < n; i++) if ((gap[i] as number) > (gap[far] as number)) far = i;
    centroids.set(points.subarray(far * d, far * d + d), c * d);
    for (let i = 0; i < n; i++) gap[i] = Math.min(gap[i] as number, distance2(points, i * d, centroids, c * d, d));
  }
  return centroids;
}

/**
 * k-means (Lloyd) on n = points.length / d points: at most `maxIterations` assignment steps,
 * stopping when the assignments no longer change. A cluster that empties keeps its centroid.
 */
export function kMeans(points: Float64Array, d: number, k: number, maxIterations = 100): KMeans {
  const n = points.length / d;
  if (!(Number.isInteger(n) && n >= 1 && k >= 1 && k <= n)) throw new RangeError(`kMeans: k = ${k} for ${n} points of ${d} values`);
  const centroids = farthestFirst(points, n, d, k);
  const labels = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    let changed = false;
    for (let i = 0; i < n; i++) {
      const c = nearest(points, i, centroids, k, d);
      if (c !== labels[i]) [labels[i], changed] = [c, true];
    }
    if (!changed) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i] as number;
      counts[c] = (counts[c] as number) + 1;
      for (let t = 0; t < d; t++) sums[c * d + t] = (sums[c * d + t] as number) + (points[i * d + t] as number);
    }
    for (let c = 0; c < k; c++) {
      const m = counts[c] as number;
      if (m > 0) for (let t = 0; t < d; t++) centroids[c * d + t] = (sums[c * d + t] as number) / m;
    }
  }
  return { k, centroids, labels, iterations };
}

/**
 * Mean over points of (b − a) / max(a, b), 0 where both are 0: a is the distance to the point's
 * own centroid, b to the nearest other one. O(n·k), no pairwise distances, so it scales to the
 * subsample regime finding uses; near 1 only when clusters are tight and far apart.
 */
export function simplifiedSilhouette(points: Float64Array, d: number, result: KMeans): number {
  const { k, centroids, labels } = result;
  const n = labels.length;
  if (k < 2) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = labels[i] as number;
    const a = Math.sqrt(distance2(points, i * d, centroids, own * d, d));
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, Math.sqrt(distance2(points, i * d, centroids, c * d, d)));
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / n;
}
