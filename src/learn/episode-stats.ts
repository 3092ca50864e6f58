// What a retrain keeps of one episode: the sums of its labelled feature rows (a Gram: enough to fit,
// to merge with other episodes and to score any linear model exactly) and a small sample of the
// rows themselves, evenly spread over the episode's life (for the monotone calibration, λ and the
// metrics that need rows).
// Pure: rows in, statistics out.
import { GramSum, type Gram } from './gram.js';
import type { StreamState } from './feature-stream.js';

/** Rows kept per episode for calibration and row-based metrics. */
export const SAMPLE_ROWS = 64;

/**
 * The last row of every block of k rows of an episode, k the smallest power of two that keeps at
 * most SAMPLE_ROWS: a systematic sample, in which each row stands for the k rows up to it. It
 * follows the episode from healthy to fault as all its rows do, and the same rows give the same
 * sample on any run. (A random sample, or one that always kept the first row, weighed the
 * noisiest rows enough to flip the choice of λ on C-MAPSS.)
 */
export interface RowSample {
  readonly p: number;
  /** Each kept row's place among the episode's complete rows (k − 1, 2k − 1, …). */
  readonly index: number[];
  readonly ts: number[];
  readonly y: number[];
  /**
   * Row-major, index.length × p. Double precision: the fit's coefficients on correlated features are
   * large and of opposite signs, so single-precision rows would score noise (and choose λ by it).
   */
  readonly x: Float64Array;
}

export interface EpisodeSums {
  /** Rows in the Gram: sampled, labelled and with every feature present. */
  readonly rows: number;
  /** Sampled rows left out because a feature was missing. */
  readonly incomplete: number;
  /** Null while no row is complete. */
  readonly gram: Gram | null;
  readonly sample: RowSample;
}

/** The open tail key; a closed episode's key is its fault time. */
export const OPEN = 'open';

/** Where an open tail stopped: the stream's state after its last labelled reading. */
export interface ResumePoint {
  /** Readings up to this time were taken. */
  readonly through: number;
  /** The next sample is the first reading at or after this time. */
  readonly nextSample: number;
  readonly stream: StreamState;
}

export interface EpisodeRecord extends EpisodeSums {
  readonly asset: string;
  /** OPEN, or the fault time as a string. */
  readonly key: string;
  /** The first reading of the episode. */
  readonly start: number;
  /** The fault time, or the last labelled reading of an open tail. */
  readonly end: number;
  readonly faultTs: number | null;
  /** An open tail's place to continue from; null once the episode is final. */
  readonly resume: ResumePoint | null;
}

export class EpisodeAccumulator {
  private rows = 0;
  private incomplete = 0;
  /** The last complete row of every block of `every` is in the sample. */
  private every = 1;
  private readonly gram: GramSum;
  private readonly index: number[];
  private readonly ts: number[];
  private readonly y: number[];
  private readonly x: number[][];

  /** Continues from `from` when given (an open episode that grew since the last retrain). */
  constructor(
    private readonly p: number,
    from?: EpisodeSums,
  ) {
    this.gram = new GramSum(p);
    if (from?.gram) this.gram.addGram(from.gram);
    this.rows = from?.rows ?? 0;
    this.incomplete = from?.incomplete ?? 0;
    while (Math.floor(this.rows / this.every) > SAMPLE_ROWS) this.every *= 2;
    const sample = from?.sample;
    this.index = sample ? [...sample.index] : [];
    this.ts = sample ? [...sample.ts] : [];
    this.y = sample ? [...sample.y] : [];
    this.x = sample ? sample.index.map((_, i) => Array.from(sample.x.subarray(i * p, (i + 1) * p))) : [];
  }

  /** One labelled row; a row with a missing feature is counted, not summed. */
  add(x: Float64Array, y: number, ts: number): void {
    for (let j = 0; j < this.p; j++) {
      if (Number.isNaN(x[j])) {
        this.incomplete++;
        return;
      }
    }
    const place = this.rows++;
    this.gram.addRow(x, y);
    if ((place + 1) % this.every !== 0) return;
    this.index.push(place);
    this.ts.push(ts);
    this.y.push(y);
    this.x.push(Array.from(x));
    if (this.index.length > SAMPLE_ROWS) this.thin();
  }

  finish(): EpisodeSums {
    const x = new Float64Array(this.index.length * this.p);
    this.x.forEach((row, i) => x.set(row, i * this.p));
    return {
      rows: this.rows,
      incomplete: this.incomplete,
      gram: this.rows > 0 ? this.gram.toGram() : null,
      sample: { p: this.p, index: [...this.index], ts: [...this.ts], y: [...this.y], x },
    };
  }

  /** Doubles the blocks: keeps every other sampled row. */
  private thin(): void {
    this.every *= 2;
    const keep = this.index.flatMap((place, i) => ((place + 1) % this.every === 0 ? [i] : []));
    for (const list of [this.index, this.ts, this.y, this.x] as unknown[][]) {
      const kept = keep.map((i) => list[i]);
      list.length = 0;
      list.push(...kept);
    }
  }
}
