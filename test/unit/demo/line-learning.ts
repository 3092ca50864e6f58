// Shared by the simulator tests: run the demo line and learn from it with the agent's retrain job.
// Test helper only; not imported by src.
import type { AssetHistory } from '../../../src/learn/types.js';
import { seriesOf, type Point } from '../../helpers/series.js';
import { LineSimulator, SENSORS, type SimulatorOptions } from '../../../src/demo/simulator.js';
import type { ModelConfig } from '../../../src/train/job.js';

/** The demo's model section (src/demo/run.ts): horizon 2 h, window 10 min, every other key at its default. */
export const DEMO_MODEL: ModelConfig = {
  horizon: 7_200_000,
  window: 600_000,
  features: ['ewma', 'age', 'squares'],
  stride: 'auto',
  conditions: [],
  full_window: false,
  max_gap: 'auto',
  ridge: 'auto',
  test_fraction: 0.2,
  min_samples: 200,
};

/** Each asset's series and faults after `ticks` ticks. */
export function runLine(options: SimulatorOptions, ticks: number): { histories: AssetHistory[]; faults: number; tickTs: number[] } {
  const sim = new LineSimulator(options);
  const series = new Map<string, Map<string, Point[]>>();
  const faults = new Map<string, number[]>();
  const tickTs: number[] = [];
  let faultCount = 0;
  for (const asset of sim.assets) {
    series.set(asset, new Map(SENSORS.map((s) => [s, [] as Point[]])));
    faults.set(asset, []);
  }
  for (let k = 0; k < ticks; k++) {
    tickTs.push(sim.now);
    const { readings, faults: events } = sim.tick();
    for (const r of readings) for (const s of SENSORS) series.get(r.asset)!.get(s)!.push({ ts: r.ts, value: r.values[s] });
    for (const f of events) faults.get(f.asset)!.push(f.ts);
    faultCount += events.length;
  }
  const histories = sim.assets.map((asset) => ({
    asset,
    series: new Map([...series.get(asset)!].map(([sensor, points]) => [sensor, seriesOf(points)])),
    faults: faults.get(asset)!,
  }));
  return { histories, faults: faultCount, tickTs };
}

