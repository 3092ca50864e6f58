// k-means with the farthest-first start and the simplified silhouette, on cases small enough to
// work out by hand.
import { describe, expect, it } from 'vitest';
import { kMeans, nearest, simplifiedSilhouette } from '../../../src/learn/kmeans.js';

const points1d = (...v: number[]): Float64Array => Float64Array.from(v);

describe('kMeans', () => {
  it('starts at the point nearest the mean, then at the farthest point, and converges to the group means', () => {
    // Mean 6: nearest is 5 (index 3). Farthest from 5 is 20 (index 5); then 0 (index 0).
    const pts = points1d(0, 1, 2, 5, 8, 20);
    const r = kMeans(pts, 1, 3);
    // Groups: {0, 1, 2} → 1, {5, 8} → 6.5, {20} → 20, with clusters in start order (5, 20, 0).
    expect(Array.from(r.centroids)).toEqual([6.5, 20, 1]);
    expect(Array.from(r.labels)).toEqual([2, 2, 2, 0, 0, 1]);
    expect(r.iterations).toBeLessThanOrEqual(100);
  });

  it('keeps the centroid of a cluster that empties, and breaks distance ties towards the lower index', () => {
    // Start: 0 (nearest the mean 2.5, first of the ties), 10, then 0 again (every gap is 0: first index).
    const r = kMeans(points1d(0, 0, 0, 10), 1, 3);
    expect(Array.from(r.centroids)).toEqual([0, 10, 0]);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 1]); // cluster 2 is empty and keeps its centroid
  });

  it('stops after the given number of assignment steps', () => {
    const pts = Float64Array.from({ length: 200 }, (_, i) => Math.sin(i) * 10 + (i % 7));
    expect(kMeans(pts, 1, 5, 1).iterations).toBe(1);
    expect(kMeans(pts, 1, 5, 2).iterations).toBeLessThanOrEqual(2);
  });

  it('works in several dimensions', () => {
    const pts = Float64Array.from([0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10]);
    const r = kMeans(pts, 2, 2);
    const sorted = [Array.from(r.centroids.subarray(0, 2)), Array.from(r.centroids.subarray(2, 4))].sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(sorted).toEqual([
      [1 / 3, 1 / 3],
      [31 / 3, 31 / 3],
    ]);
  });

  it('refuses more clusters than points', () => {
    expect(() => kMeans(points1d(1, 2), 1, 3)).toThrow(RangeError);
  });
});

describe('simplifiedSilhouette', () => {
  it('is the mean of (b − a) / max(a, b), with 0 where both are 0', () => {
    const pts = points1d(0, 2, 10);
    // Centroids 1 and 10: for 0, a = 1, b = 10 → 0.9; for 2, a = 1, b = 8 → 0.875; for 10, a = 0, b = 9 → 1.
    const r = { k: 2, centroids: points1d(1, 10), labels: Int32Array.from([0, 0, 1]), iterations: 1 };
    expect(simplifiedSilhouette(pts, 1, r)).toBeCloseTo((0.9 + 0.875 + 1) / 3, 14);
    const dup = { k: 3, centroids: points1d(0, 10, 0), labels: Int32Array.from([0, 0, 0, 1]), iterations: 1 };
    expect(simplifiedSilhouette(points1d(0, 0, 0, 10), 1, dup)).toBe(0.25);
  });

  it('is 0 for a single cluster', () => {
    expect(simplifiedSilhouette(points1d(1, 2), 1, { k: 1, centroids: points1d(1.5), labels: Int32Array.from([0, 0]), iterations: 1 })).toBe(0);
  });
});

describe('nearest', () => {
  it('gives ties to the lower index', () => {
    expect(nearest(points1d(5), 0, points1d(4, 6), 2, 1)).toBe(0);
    expect(nearest(points1d(5.1), 0, points1d(4, 6), 2, 1)).toBe(1);
  });
});
