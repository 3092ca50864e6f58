// Isotonic calibration of the ridge score (REPORT.md 2.4): a non-decreasing map from raw score to
// time to fault, fitted by pool-adjacent-violators and served by linear interpolation. Pure; JSON.

/** Knots of a non-decreasing piecewise-linear map; constant beyond the end knots. */
export interface IsotonicCalibration {
  /** Scores, strictly increasing. */
  readonly x: number[];
  /** Calibrated values at those scores, non-decreasing. */
  readonly y: number[];
  /** Pairs fitted on, and knots before thinning (x.length unless thinned). */
  readonly pairs: number;
  readonly fittedKnots: number;
}

/** The study's fits had 387 and 491 knots; beyond this many the model and the card stay small by thinning. */
export const MAX_ISOTONIC_KNOTS = 1000;

/**
 * Least-squares non-decreasing fit of labels on scores, equal weights: pairs sorted by score,
 * equal scores pooled first, then adjacent blocks pooled while a block's mean is not above the one
 * before (pool-adjacent-violators; equal means are pooled too, which only removes knots). Each
 * block gives a knot at its smallest and at its largest score (one when they coincide).
 * Beyond `maxKnots` knots, `maxKnots` of them are kept, evenly spaced by index and including both
 * ends: any subset of non-decreasing knots interpolates non-decreasingly, and knots are densest
 * where the scores are, so that is where most are kept.
 */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>, maxKnots = MAX_ISOTONIC_KNOTS): IsotonicCalibration {
  return fitWeightedIsotonic(scores, labels, new Float64Array(scores.length).fill(1), maxKnots);
}

/** The same with a weight per pair (a bin's count when each pair is a bin's mean label); `pairs` is their sum. */
export function fitWeightedIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>, maxKnots = MAX_ISOTONIC_KNOTS): IsotonicCalibration {
  const n = scores.length;
  if (labels.length !== n || weights.length !== n) throw new RangeError(`fitIsotonic: ${n} scores but ${labels.length} labels and ${weights.length} weights`);
  if (n === 0) throw new RangeError('fitIsotonic: no pairs to fit');
  if (!(Number.isInteger(maxKnots) && maxKnots >= 2)) throw new RangeError(`fitIsotonic: maxKnots must be a whole number ≥ 2, got ${maxKnots}`);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i]) || !Number.isFinite(labels[i])) throw new RangeError(`fitIsotonic: pair ${i} is not finite`);
    if (!((weights[i] as number) > 0 && Number.isFinite(weights[i]))) throw new RangeError(`fitIsotonic: pair ${i} has a weight that is not above 0`);
    pairs += weights[i] as number;
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  // The block stack: label sum, count, smallest and largest score.
  const sum: number[] = [];
  const count: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (let i = 0; i < n; ) {
    const s = scores[order[i] as number] as number;
    let blockSum = 0;
    let blockCount = 0;
    for (; i < n && scores[order[i] as number] === s; i++) {
      const k = order[i] as number;
      blockSum += (labels[k] as number) * (weights[k] as number);
      blockCount += weights[k] as number;
    }
    let blockLo = s;
    while (sum.length > 0 && (sum.at(-1) as number) / (count.at(-1) as number) >= blockSum / blockCount) {
      blockSum += sum.pop() as number;
      blockCount += count.pop() as number;
      blockLo = lo.pop() as number;
      hi.pop();
    }
    sum.push(blockSum);
    count.push(blockCount);
    lo.push(blockLo);
    hi.push(s);
  }
  const x: number[] = [];
  const y: number[] = [];
  sum.forEach((s, b) => {
    const v = s / (count[b] as number);
    x.push(lo[b] as number);
    y.push(v);
    if ((hi[b] as number) > (lo[b] as number)) {
      x.push(hi[b] as number);
      y.push(v);
    }
  });
  if (x.length <= maxKnots) return { x, y, pairs, fittedKnots: x.length };
  const keep = Array.from({ length: maxKnots }, (_, i) => Math.round((i * (x.length - 1)) / (maxKnots - 1)));
  return { x: keep.map((k) => x[k] as number), y: keep.map((k) => y[k] as number), pairs, fittedKnots: x.length };
}

/** The calibrated value of a score: linear between knots, the end value beyond them; NaN for NaN. */
export function calibrate(c: IsotonicCalibration, score: number): number {
  const { x, y } = c;
  const last = x.length - 1;
  if (Number.isNaN(score) || last < 0) return NaN;
  if (score <= (x[0] as number)) return y[0] as number;
  if (score >= (x[last] as number)) return y[last] as number;
  // x[lo] < score < x[hi]: bisect to adjacent knots.
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((x[mid] as number) <= score) lo = mid;
    else hi = mid;
  }
  const x0 = x[lo] as number;
  const y0 = y[lo] as number;
  return y0 + (((y[hi] as number) - y0) * (score - x0)) / ((x[hi] as number) - x0);
}
