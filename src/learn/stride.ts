// `model.stride: auto` (REPORT.md 2.4): the sample spacing derived from the training episodes'
// reading times, bounded in total samples, and whether episodes are left too few samples. Pure.

/** The bound on training samples a stride aims for (about 200k rows keep a retrain's Gram pass short). */
export const STRIDE_MAX_SAMPLES = 200_000;
/** Below this many samples in the median episode the card warns: the bound, not the data, set the stride. */
export const MIN_SAMPLES_PER_EPISODE = 30;

export interface AutoStride {
  /** The stride, in the unit of the times given (faultline's are epoch ms). */
  readonly stride: number;
  /** dt: the median interval between consecutive readings inside an episode. */
  readonly interval: number;
  /** D: the sum over episodes of last − first reading time. */
  readonly totalDuration: number;
  readonly medianDuration: number;
  /** median duration / stride + 1: what the median episode yields. */
  readonly samplesPerMedianEpisode: number;
  /** samplesPerMedianEpisode < MIN_SAMPLES_PER_EPISODE: say so on the card. */
  readonly fewSamples: boolean;
}

/** numpy's median: the middle value, or the mean of the two middle ones. Sorts `values` in place. */
function median(values: Float64Array): number {
  const sorted = values.sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** max(dt, D / maxSamples), rounded up to a whole number of dt: also what a fleet's pooled spacing gives. */
export function strideOf(interval: number, totalDuration: number, maxSamples = STRIDE_MAX_SAMPLES): number {
  // 1e-9 absorbs a quotient like 0.30000000000000004 / 0.1 = 3.0000000000000004: 3 intervals, not 4.
  return Math.ceil(Math.max(interval, totalDuration / maxSamples) / interval - 1e-9) * interval;
}

/**
 * stride = max(dt, D / maxSamples), rounded up to a whole number of dt, so a sample falls on a
 * reading and the stride starts from the data's own spacing, coarsening only to respect the bound.
 * `episodes` holds each training episode's reading times, ascending; a non-positive interval
 * (a repeated time) is not an interval. Null when no episode has two distinct reading times:
 * there is no spacing to derive, and the caller keeps its fallback.
 */
export function autoStride(episodes: ReadonlyArray<ArrayLike<number>>, maxSamples = STRIDE_MAX_SAMPLES): AutoStride | null {
  if (!(maxSamples > 0)) throw new RangeError(`autoStride: maxSamples must be > 0, got ${maxSamples}`);
  // One typed array for every interval: a buffer of millions of readings stays a few MB here.
  const gaps = new Float64Array(episodes.reduce((sum, times) => sum + Math.max(0, times.length - 1), 0));
  let count = 0;
  const durations = new Float64Array(episodes.length);
  episodes.forEach((times, e) => {
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] as number) - (times[i - 1] as number);
      if (gap > 0) gaps[count++] = gap;
    }
    durations[e] = times.length > 0 ? (times[times.length - 1] as number) - (times[0] as number) : 0;
  });
  if (count === 0) return null;
  const interval = median(gaps.subarray(0, count));
  const totalDuration = durations.reduce((a, b) => a + b, 0);
  const stride = strideOf(interval, totalDuration, maxSamples);
  const medianDuration = median(durations);
  const samplesPerMedianEpisode = medianDuration / stride + 1;
  return { stride, interval, totalDuration, medianDuration, samplesPerMedianEpisode, fewSamples: samplesPerMedianEpisode < MIN_SAMPLES_PER_EPISODE };
}
