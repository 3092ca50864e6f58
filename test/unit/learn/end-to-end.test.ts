// End to end through the pure learning core on synthetic degradation data with a known answer:
// buildDataset → splitByEpisode → selectFeatures → chooseLambda → fitRidge → metrics.
import { describe, expect, it } from 'vitest';
import { buildDataset, selectFeatures, takeRows, type AssetHistory } from '../../../src/learn/dataset.js';
import { featureVector } from '../../../src/learn/features.js';
import { baselineMetrics, metrics } from '../../../src/learn/metrics.js';
import { chooseLambda, fitRidge, gramOf, predictRow, predictRows } from '../../../src/learn/ridge.js';
import { rowsOf, splitByEpisode } from '../../../src/learn/split.js';
import { seriesOf, type Point } from '../../helpers/series.js';
import { mulberry32, normal } from '../../../src/demo/random.js';

const T0 = 1_764_320_000_000;
const H = 7200; // 2 h horizon, seconds
const STEP = 30_000; // a reading every 30 s
const HOUR = 3_600_000;

/**
 * One asset: faults every 4–8 h; `temp` drifts up linearly by 15 over the last H before each
 * fault (plus noise σ = 1); `vib` is noise; `const` never changes; `flaky` reports rarely.
 */
function syntheticAsset(name: string, seed: number): AssetHistory {
  const rnd = mulberry32(seed);
  const gauss = normal(rnd);
  const faults: number[] = [];
  let t = T0 + rnd() * HOUR;
  for (let k = 0; k < 3; k++) faults.push((t += (4 + 4 * rnd()) * HOUR));
  const end = t + 3 * HOUR; // the open tail after the last fault
  const temp: Point[] = [];
  const vib: Point[] = [];
  const constant: Point[] = [];
  const flaky: Point[] = [];
  for (let ts = T0; ts <= end; ts += STEP) {
    const next = faults.find((f) => f >= ts);
    const ttf = next === undefined ? Infinity : (next - ts) / 1000;
    temp.push({ ts, value: 60 + 15 * Math.max(0, 1 - ttf / H) + gauss() });
    vib.push({ ts, value: 0.03 + 0.005 * gauss() });
    constant.push({ ts, value: 518.67 });
    if (rnd() < 0.03) flaky.push({ ts, value: gauss() });
  }
  return { asset: name, series: new Map([['temp', seriesOf(temp)], ['vib', seriesOf(vib)], ['const', seriesOf(constant)], ['flaky', seriesOf(flaky)]]), faults };
}

describe('learning end to end', () => {
  const assets = Array.from({ length: 8 }, (_, i) => syntheticAsset(`press${i + 1}`, 100 + i));
  const spec = { horizonS: H, windowMs: 10 * 60_000, strideMs: 5 * 60_000, maxGapMs: 5 * 60_000, requireFullWindow: true, stats: ['mean', 'std', 'min', 'max', 'slope', 'last'] as const };
  const ds = buildDataset(assets, { ...spec, stats: [...spec.stats] });
  const split = splitByEpisode(ds.episodes, 0.25);
  const sel = selectFeatures(ds, rowsOf(split.train));
  const train = takeRows(ds, sel.rows, sel.columns);
  const test = takeRows(ds, rowsOf(split.test), sel.columns);
  const choice = chooseLambda(train, ds.episodes, { horizonS: H });
  const model = fitRidge(gramOf(train.X, train.y, train.p), choice.lambda, train.featureNames);
  const onTest = metrics(test.y, predictRows(model, test.X), [0, H]);

  it('builds closed and open episodes for every asset and holds out the latest ones', () => {
    expect(ds.episodes).toHaveLength(32); // 3 closed + 1 labelled tail per asset
    expect(split.test).toHaveLength(8);
    const lastTrainEnd = Math.max(...split.train.map((e) => e.end));
    expect(split.test.every((e) => e.end >= lastTrainEnd)).toBe(true);
  });

  it('drops the constant and the rarely reporting sensor, with notes', () => {
    expect(sel.notes).toContain('const_* dropped: constant (518.67)');
    expect(sel.notes.some((n) => n.startsWith('flaky_* dropped: missing in'))).toBe(true);
    expect(sel.featureNames.every((f) => f.startsWith('temp_') || f.startsWith('vib_'))).toBe(true);
  });

  it('predicts time to fault on the held-out episodes with R² > 0.8, far better than the constant baseline', () => {
    expect(test.n).toBeGreaterThan(200);
    expect(onTest.r2).toBeGreaterThan(0.8);
    const baseline = baselineMetrics(train.y, test.y, [0, H]);
    expect(onTest.rmse).toBeLessThan(0.5 * baseline.rmse);
  });

  it('leans on the drifting sensor: temp_mean lowers the time to fault', () => {
    const j = model.featureNames.indexOf('temp_mean');
    expect(j).toBeGreaterThanOrEqual(0);
    const strongest = model.coefStd.reduce((best, c, k) => (Math.abs(c) > Math.abs(model.coefStd[best] as number) ? k : best), 0);
    expect(model.featureNames[strongest]?.startsWith('temp_')).toBe(true);
    expect(model.coef[j]).toBeLessThan(0);
  });

  it('serves the same prediction from featureVector as from the training row', () => {
    const ep = split.test[0]!;
    const asset = assets.find((a) => a.asset === ep.asset)!;
    const r = ep.rows[0];
    const live = featureVector(asset.series, ds.rowTs[r] as number, spec, model.featureNames);
    const trained = Float64Array.from(sel.columns, (c) => ds.X[r * ds.p + c] as number);
    expect(predictRow(model, live)).toBeCloseTo(predictRow(model, trained), 6);
  });
});
