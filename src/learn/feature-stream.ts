// One asset's features as its readings arrive, in event-time order: the same code makes training
// rows from the buffer and live rows from each new batch, so serving computes what training did.
// O(1) per reading for ewma, baseline and age (O(window) for window statistics). Pure.
//
// Definitions (t0: the episode's first reading, the first after the asset's last fault):
//  - ewma at half-life h: Σ w·z / Σ w over the episode's readings τ ≤ t, w = 2^(−(t − τ)/h). The
//    weight of every term decays alike between readings, so the ratio only changes when one arrives.
//    Missing when the sensor has been silent longer than `staleMs`.
//  - baseline: the mean of z over the readings in [t0, t0 + W); a running mean before t0 + W.
//  - age: t − t0 in seconds; age_log: ln(1 + age).
//  - window statistics over (t − W, t], with the rules of window-stats.ts.
//  - z is the reading rescaled by its sensor's mean and spread (within its operating regime when the
//    recipe has regimes); an earlier release's recipe takes readings as they are.
import { featureNames, WINDOW_STATS, type Recipe, type WindowStat } from './recipe.js';
import { windowStats } from './window-stats.js';

/** Rescales a reading within the regime its machine runs in (learn/regimes.ts implements it). */
export interface Normalizer {
  /** The regime of the held condition values (one per recipe condition, NaN when not seen yet), or −1. */
  regimeOf(conditions: ArrayLike<number>): number;
  /** The reading of sensor `sensor` (a recipe sensor index) as z within `regime`. */
  z(regime: number, sensor: number, value: number): number;
}

/** What a stream must remember to continue where it stopped (plain data: it is stored). */
export interface StreamState {
  readonly t0: number | null;
  readonly lastTs: number | null;
  readonly lastFault: number | null;
  readonly conditions: Array<number | null>;
  readonly sensors: Array<{
    readonly last: number | null;
    readonly sums: number[];
    readonly weights: number[];
    readonly baseSum: number;
    readonly baseCount: number;
    readonly window: { ts: number[]; value: number[] } | null;
  }>;
}

interface SensorState {
  /** Time of the last reading taken, or −Infinity. */
  last: number;
  /** Per half-life: Σ w·z and Σ w as of `last`. */
  sums: Float64Array;
  weights: Float64Array;
  baseSum: number;
  baseCount: number;
  /** Readings of the trailing window, for window statistics; null when the recipe has none. */
  window: { ts: number[]; value: number[] } | null;
}

export class FeatureStream {
  readonly width: number;
  private t0 = NaN;
  private lastTs = -Infinity;
  private lastFault = -Infinity;
  private readonly conditions: Float64Array;
  private readonly sensors: SensorState[];
  private readonly sensorIndex: ReadonlyMap<string, number>;
  private readonly conditionIndex: ReadonlyMap<string, number>;
  private readonly stats: WindowStat[];
  private readonly has: { ewma: boolean; baseline: boolean; age: boolean; squares: boolean };

  constructor(
    private readonly recipe: Recipe,
    private readonly normalizer: Normalizer | null = null,
  ) {
    this.width = featureNames(recipe).length;
    this.sensorIndex = new Map(recipe.sensors.map((name, j) => [name, j]));
    this.conditionIndex = new Map(recipe.conditions.map((name, j) => [name, j]));
    this.conditions = new Float64Array(recipe.conditions.length).fill(NaN);
    this.stats = WINDOW_STATS.filter((s) => recipe.kinds.includes(s));
    this.has = {
      ewma: recipe.kinds.includes('ewma'),
      baseline: recipe.kinds.includes('baseline'),
      age: recipe.kinds.includes('age'),
      squares: recipe.kinds.includes('squares'),
    };
    this.sensors = recipe.sensors.map(() => this.freshSensor());
  }

  /** The first reading of the current episode, or NaN before one. */
  get episodeStart(): number {
    return this.t0;
  }

  /** The newest reading taken, or −Infinity. */
  get newest(): number {
    return this.lastTs;
  }

  get lastFaultTs(): number {
    return this.lastFault;
  }

  /**
   * Takes the readings of one timestamp. A reading at or before the last fault belongs to the
   * episode that fault closed, and one at or before its sensor's previous reading (a redelivery, or
   * late) changes nothing: features only move forward in event time.
   */
  push(ts: number, readings: Iterable<readonly [string, number]>): void {
    if (ts <= this.lastFault) return;
    const wear: Array<[number, number]> = [];
    for (const [name, value] of readings) {
      const c = this.conditionIndex.get(name);
      if (c !== undefined) this.conditions[c] = value;
      const j = this.sensorIndex.get(name);
      if (j !== undefined) wear.push([j, value]);
    }
    if (Number.isNaN(this.t0)) this.t0 = ts;
    if (ts > this.lastTs) this.lastTs = ts;
    if (wear.length === 0) return;
    const regime = this.normalizer ? this.normalizer.regimeOf(this.conditions) : 0;
    if (regime < 0) return; // the regime is not known yet: its readings cannot be rescaled
    for (const [j, value] of wear) this.take(j, ts, this.normalizer ? this.normalizer.z(regime, j, value) : value);
  }

  /** A fault at `ts` closes the episode: the next reading after it starts a new one. */
  fault(ts: number): void {
    if (ts <= this.lastFault) return;
    this.lastFault = ts;
    this.t0 = NaN;
    for (let j = 0; j < this.sensors.length; j++) this.sensors[j] = this.freshSensor();
  }

  /**
   * The feature row at `t` (normally the newest reading's time) into `out`, in featureNames
   * order; NaN where a feature is missing. Returns false before the episode's first reading.
   */
  row(t: number, out: Float64Array): boolean {
    if (Number.isNaN(this.t0)) {
      out.fill(NaN);
      return false;
    }
    const { recipe } = this;
    let k = 0;
    for (const s of this.sensors) {
      const fresh = s.last > -Infinity && t - s.last <= recipe.staleMs;
      if (this.has.ewma) for (let h = 0; h < recipe.halfLivesMs.length; h++) out[k++] = fresh ? (s.sums[h] as number) / (s.weights[h] as number) : NaN;
      if (this.has.baseline) out[k++] = s.baseCount > 0 ? s.baseSum / s.baseCount : NaN;
      if (this.stats.length > 0) {
        const w = s.window && s.window.ts.length > 0 ? windowStats(s.window, t, recipe.windowMs, recipe.maxGapMs) : null;
        for (const stat of this.stats) out[k++] = w === null ? NaN : w[stat];
      }
    }
    if (this.has.age) {
      const age = (t - this.t0) / 1000;
      out[k++] = age;
      out[k++] = Math.log1p(age);
    }
    if (this.has.squares && this.has.ewma) {
      const perSensor = recipe.halfLivesMs.length + (this.has.baseline ? 1 : 0) + this.stats.length;
      recipe.sensors.forEach((_, j) => {
        for (let h = 0; h < recipe.halfLivesMs.length; h++) {
          // The ewma is of z, centred on the training readings' mean: its square carries the curvature.
          const v = out[j * perSensor + h] as number;
          out[k++] = v * v;
        }
      });
    }
    return true;
  }

  /** Seconds of the episode behind `t`: what a prediction at `t` rests on. */
  historyS(t: number): number {
    return Number.isNaN(this.t0) ? 0 : (t - this.t0) / 1000;
  }

  state(): StreamState {
    const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
    return {
      t0: orNull(this.t0),
      lastTs: orNull(this.lastTs),
      lastFault: orNull(this.lastFault),
      conditions: Array.from(this.conditions, orNull),
      sensors: this.sensors.map((s) => ({
        last: orNull(s.last),
        sums: Array.from(s.sums),
        weights: Array.from(s.weights),
        baseSum: s.baseSum,
        baseCount: s.baseCount,
        window: s.window ? { ts: [...s.window.ts], value: [...s.window.value] } : null,
      })),
    };
  }

  /** A stream that continues from `state`, which the same recipe made. */
  static resume(recipe: Recipe, normalizer: Normalizer | null, state: StreamState): FeatureStream {
    const stream = new FeatureStream(recipe, normalizer);
    if (state.sensors.length !== stream.sensors.length || state.conditions.length !== stream.conditions.length) {
      throw new RangeError('the stream state was made by another recipe');
    }
    stream.t0 = state.t0 ?? NaN;
    stream.lastTs = state.lastTs ?? -Infinity;
    stream.lastFault = state.lastFault ?? -Infinity;
    state.conditions.forEach((v, c) => (stream.conditions[c] = v ?? NaN));
    state.sensors.forEach((s, j) => {
      const target = stream.sensors[j] as SensorState;
      target.last = s.last ?? -Infinity;
      target.sums.set(s.sums);
      target.weights.set(s.weights);
      target.baseSum = s.baseSum;
      target.baseCount = s.baseCount;
      target.window = s.window ? { ts: [...s.window.ts], value: [...s.window.value] } : target.window;
    });
    return stream;
  }

  private take(j: number, ts: number, z: number): void {
    const s = this.sensors[j] as SensorState;
    if (ts <= s.last) return;
    const { halfLivesMs, windowMs } = this.recipe;
    for (let h = 0; h < halfLivesMs.length; h++) {
      const decay = s.last === -Infinity ? 0 : 2 ** (-(ts - s.last) / (halfLivesMs[h] as number));
      s.sums[h] = (s.sums[h] as number) * decay + z;
      s.weights[h] = (s.weights[h] as number) * decay + 1;
    }
    if (ts < this.t0 + windowMs) {
      s.baseSum += z;
      s.baseCount++;
    }
    if (s.window) {
      s.window.ts.push(ts);
      s.window.value.push(z);
      let drop = 0;
      while (drop < s.window.ts.length && (s.window.ts[drop] as number) <= ts - windowMs) drop++;
      if (drop > 0) {
        s.window.ts.splice(0, drop);
        s.window.value.splice(0, drop);
      }
    }
    s.last = ts;
  }

  private freshSensor(): SensorState {
    const h = this.recipe.halfLivesMs.length;
    return {
      last: -Infinity,
      sums: new Float64Array(h),
      weights: new Float64Array(h),
      baseSum: 0,
      baseCount: 0,
      window: this.stats.length > 0 ? { ts: [], value: [] } : null,
    };
  }
}
