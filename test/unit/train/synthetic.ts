// Synthetic degradation histories for the training tests: faults at known times, a sensor that
// drifts over the horizon before each fault, one that is noise, one that only some assets have.
// Test helper only; seeded, so every run sees the same data.
import type { AssetHistory } from '../../../src/learn/types.js';
import { seriesOf, type Point } from '../../helpers/series.js';
import type { ModelConfig } from '../../../src/train/job.js';
import { mulberry32, normal } from '../../../src/demo/random.js';

export const T0 = 1_764_320_000_000;
export const MIN = 60_000;
export const HOUR = 3_600_000;
export const H_S = 7200;

export interface SyntheticOptions {
  readonly assets?: number;
  readonly faultsPerAsset?: number;
  readonly stepMs?: number;
  /** Assets whose index is below this also report `oil` (a sensor the others lack). */
  readonly oilAssets?: number;
  readonly seed?: number;
}

/**
 * Per asset: faults every 4–8 h, then 3 h of open tail. `temp` rises by 15 over the last 2 h
 * before each fault (noise σ = 1), `vib` is noise around 0.03, `oil` drifts like temp.
 */
export function syntheticAssets(options: SyntheticOptions = {}): AssetHistory[] {
  const count = options.assets ?? 6;
  const step = options.stepMs ?? MIN;
  return Array.from({ length: count }, (_, a) => {
    const rnd = mulberry32((options.seed ?? 11) * 1000 + a);
    const gauss = normal(rnd);
    const faults: number[] = [];
    let t = T0 + Math.round(rnd() * HOUR);
    for (let k = 0; k < (options.faultsPerAsset ?? 3); k++) faults.push((t += Math.round((4 + 4 * rnd()) * HOUR)));
    const end = t + 3 * HOUR;
    const temp: Point[] = [];
    const vib: Point[] = [];
    const oil: Point[] = [];
    for (let ts = T0; ts <= end; ts += step) {
      const next = faults.find((f) => f >= ts);
      const closeness = next === undefined ? 0 : Math.max(0, 1 - (next - ts) / 1000 / H_S);
      temp.push({ ts, value: 60 + 15 * closeness + gauss() });
      vib.push({ ts, value: 0.03 + 0.005 * gauss() });
      oil.push({ ts, value: 40 + 8 * closeness + 0.5 * gauss() });
    }
    const series = new Map([['temp', seriesOf(temp)], ['vib', seriesOf(vib)]]);
    if (a < (options.oilAssets ?? 0)) series.set('oil', seriesOf(oil));
    return { asset: `press${a + 1}`, series, faults };
  });
}

/** The `model` config section as the schema would parse it (durations in ms). */
export function modelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    horizon: H_S * 1000,
    window: 10 * MIN,
    features: ['ewma', 'baseline', 'age', 'squares'],
    stride: 5 * MIN,
    conditions: [],
    full_window: false,
    max_gap: 'auto',
    ridge: 'auto',
    test_fraction: 0.25,
    min_samples: 200,
    ...overrides,
  };
}
