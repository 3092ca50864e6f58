// The soak's synthetic fleet: which asset and event time message number `seq` carries, its sensor
// values, and each asset's fault times. Deterministic from the asset number, so any process can
// recompute a message from its number (the verifier does, to find it in the buffer).
import { mulberry32 } from '../../dist/demo/random.js';

export const EVENT_STEP_MS = 60_000; // one reading per asset per minute of event time
const FAULT_EVERY_MS = [6 * 3_600_000, 18 * 3_600_000]; // a fault every 6 to 18 hours of event time

/** Message `seq` of a fleet of `assets`, event time starting at `t0`. */
export function messageOf(seq, assets, t0) {
  const asset = seq % assets;
  return { asset, ts: t0 + Math.floor(seq / assets) * EVENT_STEP_MS };
}

export const assetName = (asset) => `asset${asset}`;
export const lineName = (asset) => `line${asset % 5}`;
export const telemetryTopic = (asset) => `plant/${lineName(asset)}/${assetName(asset)}/telemetry`;
export const faultTopic = (asset) => `plant/${lineName(asset)}/${assetName(asset)}/fault`;

/** One asset's fault schedule: the fault before and after event time ts, walked forward only. */
export class FaultSchedule {
  constructor(asset, t0) {
    this.random = mulberry32(asset + 1);
    this.noise = mulberry32(asset + 1_000_003);
    this.previous = t0 - this.interval() * this.random();
    this.next = this.previous + this.interval();
  }

  interval() {
    const [lo, hi] = FAULT_EVERY_MS;
    return lo + (hi - lo) * this.random();
  }

  /** Moves past `ts`; returns the fault times passed on the way (to publish as fault events). */
  advance(ts) {
    const passed = [];
    while (ts >= this.next) {
      passed.push(Math.round(this.next));
      this.previous = this.next;
      this.next += this.interval();
    }
    return passed;
  }

  /** The sensor payload at `ts` (after advance(ts)): wear shows in the last third of each cycle. */
  payload(ts, asset) {
    const life = (ts - this.previous) / (this.next - this.previous);
    const wear = Math.max(0, (life - 0.66) / 0.34) ** 2;
    const noise = () => this.noise() - 0.5;
    const temperature = 60 + (asset % 7) + 18 * wear + noise();
    const vibration = 0.02 + 0.06 * wear + 0.004 * noise();
    const current = 3 + 0.1 * (asset % 3) + 0.4 * wear + 0.05 * noise();
    return `{"ts":${ts},"temperature":${temperature.toFixed(3)},"vibration":${vibration.toFixed(5)},"current":${current.toFixed(3)}}`;
  }
}

export const SENSORS_PER_MESSAGE = 3;
