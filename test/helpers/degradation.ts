// A synthetic production line for integration tests: assets whose temperature and vibration drift up
// over the 2 h before each fault, as MQTT messages in event-time order. Seeded; no clock.
import { mulberry32, normal } from '../../src/demo/random.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

export interface LineMessage {
  ts: number;
  topic: string;
  payload: string;
  kind: 'telemetry' | 'fault';
  asset: string;
}

export interface LineOptions {
  assets: string[];
  start: number;
  /** Each asset's faults come this long apart on average. */
  lifeMs?: number;
  faultsPerAsset: number;
  stepMs?: number;
  seed?: number;
  line?: string;
}

/** Sensor values at `ttf` ms before a fault (ramp over the last 2 h), plus noise. */
export function sensors(ttfMs: number, gauss: () => number): { temperature: number; vibration: number } {
  const ramp = Math.max(0, 1 - ttfMs / (2 * HOUR));
  return {
    temperature: 60 + 25 * ramp + gauss() * 0.8,
    vibration: 0.02 + 0.06 * ramp + gauss() * 0.002,
  };
}

export function degradingLine(options: LineOptions): LineMessage[] {
  const step = options.stepMs ?? MINUTE;
  const line = options.line ?? 'line1';
  const messages: LineMessage[] = [];
  options.assets.forEach((asset, a) => {
    const rnd = mulberry32((options.seed ?? 7) * 100 + a);
    const gauss = normal(rnd);
    let t = options.start;
    for (let f = 0; f < options.faultsPerAsset; f++) {
      const life = Math.round((options.lifeMs ?? 5 * HOUR) * (0.7 + 0.6 * rnd()));
      const faultAt = t + life;
      for (; t < faultAt; t += step) {
        const values = sensors(faultAt - t, gauss);
        messages.push({ ts: t, asset, kind: 'telemetry', topic: `plant/${line}/${asset}/telemetry`, payload: JSON.stringify({ ts: t, ...values }) });
      }
      messages.push({ ts: faultAt, asset, kind: 'fault', topic: `plant/${line}/${asset}/fault`, payload: JSON.stringify({ ts: faultAt, code: 'E1' }) });
      t = faultAt + step;
    }
  });
  return messages.sort((x, y) => x.ts - y.ts);
}
