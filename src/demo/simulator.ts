// The demo production line: assets whose hidden wear drives their sensors toward a fault, then repair.
// Pure and seeded: no clock, no I/O, no MQTT. The caller drives it with tick() and publishes the result.
import { deriveSeed, mulberry32, normal } from './random.js';

export const SENSORS = Object.freeze(['temperature', 'vibration', 'current'] as const);
export type SensorName = (typeof SENSORS)[number];
export type SensorValues = Record<SensorName, number>;

export interface Reading {
  asset: string;
  line: string;
  /** Event time, epoch ms. */
  ts: number;
  values: SensorValues;
}

export interface FaultEvent {
  asset: string;
  line: string;
  /** Event time of the fault: the same as the asset's last reading of the life that ended. */
  ts: number;
}

export interface TickResult {
  readings: Reading[];
  faults: FaultEvent[];
}

/** What the simulator knows and the agent must guess: for the demo screen and for tests. */
export interface AssetTruth {
  asset: string;
  line: string;
  /** Hidden wear in [0, 1] at the last reading; 1 at a fault. */
  degradation: number;
  /** Event time (epoch ms) of this asset's next fault. */
  nextFaultTs: number;
  lifeMs: number;
  faults: number;
}

export interface SimulatorOptions {
  seed: number;
  /** Asset names; the kind (press, lathe, pump, conveyor) is read from the name. Default: DEFAULT_ASSETS. */
  assets?: readonly string[];
  line?: string;
  /** Event time of the first tick, epoch ms. */
  startTs: number;
  /** Event time between ticks. Default DEMO_TIMING.tickMs. */
  tickMs?: number;
  /** Mean life between repairs; each life is drawn uniformly within ±lifeSpread of it. */
  meanLifeMs?: number;
  /** Default 0.3: lives of 0.7 to 1.3 times the mean, so assets drift apart and fault at different times. */
  lifeSpread?: number;
  /** How long before a fault the wear starts to show. Default DEMO_TIMING.rampMs. */
  rampMs?: number;
}

export const DEFAULT_ASSETS = Object.freeze(['press1', 'press2', 'lathe1', 'pump1', 'pump2', 'conveyor1']);

/**
 * The demo's time scale, chosen with the demo's model settings (horizon 2h, window 10m, stride 1m,
 * features mean/std/slope/last): a reading every 2 min of event time gives 5 per window; lives of
 * 2.5 h ± 30 % give 2–3 faults per asset in the first 200 ticks; wear shows over the last 2 h, the
 * horizon, so time to fault is what the sensors can tell. See test/unit/demo/simulator.test.ts.
 */
export const DEMO_TIMING = Object.freeze({ tickMs: 120_000, meanLifeMs: 2.5 * 3_600_000, rampMs: 2 * 3_600_000 });

/** Healthy levels by kind: close together, as on one line of similar machines (°C, mm/s RMS, A). */
const KINDS = {
  press: { temperature: 58, vibration: 2.2, current: 16 },
  lathe: { temperature: 55, vibration: 1.9, current: 14.5 },
  pump: { temperature: 60, vibration: 2.4, current: 15 },
  conveyor: { temperature: 54, vibration: 1.8, current: 14 },
  machine: { temperature: 57, vibration: 2.1, current: 15 },
} as const satisfies Readonly<Record<string, SensorValues>>;

type Kind = keyof typeof KINDS;
const isKind = (name: string): name is Kind => name in KINDS;

/** Change at full wear: hotter bearings, more vibration, more current drawn. */
const DRIFT: SensorValues = { temperature: 24, vibration: 6, current: 5 };
/** Measurement noise (standard deviation) of a healthy asset; vibration gets noisier with wear. */
const NOISE: SensorValues = { temperature: 0.6, vibration: 0.15, current: 0.3 };
const VIBRATION_NOISE_GROWTH = 2;
/** Wear is convex in the last rampMs: slow at first, then accelerating, as bearing wear is. */
const WEAR_SHAPE = 1.6;
/** Load varies slowly (AR(1) per tick) and moves current and temperature: noise the model must see past. */
const LOAD_MEMORY = 0.9;
const LOAD_EFFECT = { temperature: 0.8, current: 1.0 } as const;
const DECIMALS: SensorValues = { temperature: 2, vibration: 3, current: 2 };

interface AssetState {
  readonly asset: string;
  readonly kind: SensorValues;
  readonly uniform: () => number;
  readonly gauss: () => number;
  /** Ticks until the fault; the fault comes with the reading at which this is 0. */
  remaining: number;
  lifeTicks: number;
  load: number;
  degradation: number;
  faults: number;
}

/** Wear at `ttfMs` before the fault: 0 until the ramp starts, then rising to 1 at the fault. */
export function degradationAt(ttfMs: number, rampMs: number): number {
  if (ttfMs >= rampMs) return 0;
  return ((rampMs - Math.max(0, ttfMs)) / rampMs) ** WEAR_SHAPE;
}

export function kindOf(asset: string): Kind {
  const prefix = /^[a-z]+/i.exec(asset)?.[0]?.toLowerCase() ?? '';
  return isKind(prefix) ? prefix : 'machine';
}

export class LineSimulator {
  readonly line: string;
  readonly tickMs: number;
  private readonly meanLifeMs: number;
  private readonly lifeSpread: number;
  private readonly rampMs: number;
  private readonly states: AssetState[];
  private nextTs: number;

  constructor(options: SimulatorOptions) {
    this.line = options.line ?? 'line1';
    this.tickMs = options.tickMs ?? DEMO_TIMING.tickMs;
    this.meanLifeMs = options.meanLifeMs ?? DEMO_TIMING.meanLifeMs;
    this.lifeSpread = options.lifeSpread ?? 0.3;
    this.rampMs = options.rampMs ?? DEMO_TIMING.rampMs;
    if (!(this.tickMs > 0) || !(this.meanLifeMs >= this.tickMs) || !(this.lifeSpread >= 0 && this.lifeSpread < 1)) {
      throw new RangeError('simulator needs tickMs > 0, meanLifeMs ≥ tickMs and 0 ≤ lifeSpread < 1');
    }
    this.nextTs = options.startTs;
    this.states = (options.assets ?? DEFAULT_ASSETS).map((asset, index) => {
      const uniform = mulberry32(deriveSeed(options.seed, index));
      const gauss = normal(uniform);
      const base = KINDS[kindOf(asset)];
      // Each machine differs a little from its kind's nominal values.
      const kind = {
        temperature: base.temperature + 1.0 * gauss(),
        vibration: base.vibration + 0.1 * gauss(),
        current: base.current + 0.4 * gauss(),
      };
      const lifeTicks = this.drawLife(uniform);
      // Start somewhere inside the first life, so assets do not all fault together.
      return { asset, kind, uniform, gauss, lifeTicks, remaining: Math.floor(uniform() * lifeTicks), load: gauss(), degradation: 0, faults: 0 };
    });
  }

  /** Event time of the next tick. */
  get now(): number {
    return this.nextTs;
  }

  get assets(): string[] {
    return this.states.map((s) => s.asset);
  }

  /** One reading per asset at the next event time; a fault (and a repair) for each asset whose life ends. */
  tick(): TickResult {
    const ts = this.nextTs;
    this.nextTs += this.tickMs;
    const readings: Reading[] = [];
    const faults: FaultEvent[] = [];
    for (const state of this.states) {
      readings.push({ asset: state.asset, line: this.line, ts, values: this.sense(state) });
      if (state.remaining === 0) {
        faults.push({ asset: state.asset, line: this.line, ts });
        state.faults++;
        state.lifeTicks = this.drawLife(state.uniform); // repaired: a new life starts after this reading
        state.remaining = state.lifeTicks;
      }
      state.remaining--;
    }
    return { readings, faults };
  }

  /** The hidden truth as of the last tick (before any tick: as of the start). */
  truth(): AssetTruth[] {
    return this.states.map((s) => ({
      asset: s.asset,
      line: this.line,
      degradation: s.degradation,
      nextFaultTs: this.nextTs + s.remaining * this.tickMs,
      lifeMs: s.lifeTicks * this.tickMs,
      faults: s.faults,
    }));
  }

  private drawLife(uniform: () => number): number {
    const factor = 1 - this.lifeSpread + 2 * this.lifeSpread * uniform();
    return Math.max(2, Math.round((this.meanLifeMs * factor) / this.tickMs));
  }

  private sense(state: AssetState): SensorValues {
    const d = degradationAt(state.remaining * this.tickMs, this.rampMs);
    state.degradation = d;
    state.load = LOAD_MEMORY * state.load + Math.sqrt(1 - LOAD_MEMORY ** 2) * state.gauss();
    const { kind, gauss, load } = state;
    return {
      temperature: round(kind.temperature + DRIFT.temperature * d + LOAD_EFFECT.temperature * load + NOISE.temperature * gauss(), DECIMALS.temperature),
      vibration: round(Math.max(0, kind.vibration + DRIFT.vibration * d + NOISE.vibration * (1 + VIBRATION_NOISE_GROWTH * d) * gauss()), DECIMALS.vibration),
      current: round(kind.current + DRIFT.current * d + LOAD_EFFECT.current * load + NOISE.current * gauss(), DECIMALS.current),
    };
  }
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
