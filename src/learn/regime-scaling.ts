// Per-regime sensor scaling (REPORT.md 2.2): each sensor's mean and population std within each
// regime, summed in one streaming pass over the training readings, the constant rule, and
// z = (x − M[r,j]) / S[r,j]. Pure; the result is plain JSON, stored with the model.

export interface RegimeScaling {
  readonly sensors: string[];
  /** mean[r][j] and std[r][j] of sensor j in regime r; std is 1 where the sensor is constant in r. */
  readonly mean: number[][];
  readonly std: number[][];
  /** Training readings behind mean[r][j]; 0 means the sensor's pooled statistics stand in. */
  readonly count: number[][];
  /** Sensors that vary in at least one regime; the others carry no information and are dropped. */
  readonly kept: boolean[];
}

// S ≤ 1e-6·(1 + |M|) is a sensor constant in that regime up to rounding (REPORT.md 2.2).
const CONSTANT_SENSOR = 1e-6;

/** Welford moments of one sensor in one regime: count, mean, Σ (x − mean)². */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
}

/** Chan et al.'s pairwise combination of two sets' moments: exact, so members' moments merge. */
export function combineMoments(a: Moments, b: Moments): Moments {
  const n = a.n + b.n;
  if (n === 0) return { n: 0, mean: 0, m2: 0 };
  const delta = b.mean - a.mean;
  return { n, mean: a.mean + (delta * b.n) / n, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
}

/**
 * Streams training readings into per-regime, per-sensor moments by Welford's update: stable
 * for sensors far from zero with a small spread (no Σx² − n·x̄² cancellation), O(1) per reading,
 * O(regimes × sensors) memory however many readings there are.
 */
export class RegimeScalingSums {
  private readonly n: Float64Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(
    readonly regimes: number,
    readonly sensors: readonly string[],
  ) {
    if (!(Number.isInteger(regimes) && regimes >= 1)) throw new RangeError(`RegimeScalingSums: ${regimes} regimes`);
    const size = regimes * sensors.length;
    this.n = new Float64Array(size);
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  /** Adds one reading of sensor `sensor` (index into sensors) in regime `regime`; a non-finite value is skipped. */
  add(regime: number, sensor: number, value: number): void {
    if (!(Number.isInteger(regime) && regime >= 0 && regime < this.regimes)) throw new RangeError(`RegimeScalingSums: no regime ${regime}`);
    if (!(Number.isInteger(sensor) && sensor >= 0 && sensor < this.sensors.length)) throw new RangeError(`RegimeScalingSums: no sensor ${sensor}`);
    if (!Number.isFinite(value)) return;
    const i = regime * this.sensors.length + sensor;
    const n = (this.n[i] as number) + 1;
    const delta = value - (this.mean[i] as number);
    const mean = (this.mean[i] as number) + delta / n;
    this.n[i] = n;
    this.mean[i] = mean;
    this.m2[i] = (this.m2[i] as number) + delta * (value - mean);
  }

  /** Adds a row of all sensors' values (NaN where a sensor has no reading) in one regime. */
  addRow(regime: number, values: ArrayLike<number>): void {
    for (let j = 0; j < this.sensors.length; j++) this.add(regime, j, values[j] as number);
  }

  /** moments[r][j] of sensor j in regime r. */
  moments(): Moments[][] {
    const m = this.sensors.length;
    return Array.from({ length: this.regimes }, (_, r) =>
      Array.from({ length: m }, (_, j) => ({ n: this.n[r * m + j] as number, mean: this.mean[r * m + j] as number, m2: this.m2[r * m + j] as number })),
    );
  }

  finish(): RegimeScaling {
    return scalingFromMoments(this.sensors, this.moments());
  }
}

/**
 * M and S per regime and sensor from moments[r][j]. S := 1 where the sensor is constant in a
 * regime (its z is then ≈ 0 there). A regime without readings of a sensor takes the sensor's
 * statistics pooled over all regimes, so a rare regime still scales sensibly. A sensor constant (or
 * absent) in every regime is not kept.
 */
export function scalingFromMoments(sensors: readonly string[], moments: ReadonlyArray<ReadonlyArray<Moments>>): RegimeScaling {
  const m = sensors.length;
  const regimes = moments.length;
  const at = (r: number, j: number): Moments => moments[r]?.[j] ?? { n: 0, mean: 0, m2: 0 };
  const pooled = Array.from({ length: m }, (_, j) => Array.from({ length: regimes }, (_, r) => at(r, j)).reduce(combineMoments));
  const kept = new Array<boolean>(m).fill(false);
  const mean: number[][] = [];
  const std: number[][] = [];
  const count: number[][] = [];
  for (let r = 0; r < regimes; r++) {
    const own = Array.from({ length: m }, (_, j) => at(r, j));
    const used = own.map((o, j) => (o.n > 0 ? o : (pooled[j] as Moments)));
    mean.push(used.map((o) => (o.n > 0 ? o.mean : 0)));
    std.push(
      used.map((o, j) => {
        const s = o.n > 0 ? Math.sqrt(o.m2 / o.n) : 0;
        const varies = s > CONSTANT_SENSOR * (1 + Math.abs(o.mean));
        if (varies && (own[j] as Moments).n > 0) kept[j] = true;
        return varies ? s : 1;
      }),
    );
    count.push(own.map((o) => o.n));
  }
  return { sensors: [...sensors], mean, std, count, kept };
}

/** The scaled value z = (x − M[r,j]) / S[r,j] of a reading of sensor j in regime r. */
export function scaleReading(scaling: RegimeScaling, regime: number, sensor: number, x: number): number {
  const mean = scaling.mean[regime]?.[sensor];
  const std = scaling.std[regime]?.[sensor];
  if (mean === undefined || std === undefined) throw new RangeError(`scaleReading: no sensor ${sensor} in regime ${regime}`);
  return (x - mean) / std;
}
