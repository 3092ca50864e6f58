// The retrain job on in-memory histories, checked against the learning core run by hand: the same
// dataset in two passes, held-out metrics of the evaluation fit, the champion on the same test
// samples, the promotion rule, the refit on every episode, NotEnoughData and the card's shape.
import { describe, expect, it } from 'vitest';
import { buildDataset, selectFeatures, takeRows, type AssetHistory } from '../../../src/learn/dataset.js';
import { metrics } from '../../../src/learn/metrics.js';
import { predictAt, type ServingModel } from '../../../src/learn/model.js';
import { chooseLambda, fitRidge, gramOf, predictRow, predictRows, type RidgeModel } from '../../../src/learn/ridge.js';
import { rowsOf, splitByEpisode } from '../../../src/learn/split.js';
import { NoUsableFeatureError, NotEnoughDataError } from '../../../src/train/errors.js';
import { extractDataset } from '../../../src/train/extract.js';
import { datasetSpec, runJob, type JobOutcome } from '../../../src/train/job.js';
import { planDataset } from '../../../src/train/plan.js';
import { memorySource, type TrainingSource } from '../../../src/train/source.js';
import { pointsOf, seriesOf } from '../../helpers/series.js';
import { H_S, MIN, T0, modelConfig, syntheticAssets } from './synthetic.js';

const NOW = Date.UTC(2025, 5, 1);
const assets = syntheticAssets({ assets: 6, oilAssets: 2 });
const config = modelConfig();
const spec = datasetSpec(config);

/** The learning core run by hand, as the contract describes it. */
function byHand(histories: readonly AssetHistory[]) {
  const ds = buildDataset(histories, spec);
  const split = splitByEpisode(ds.episodes, config.test_fraction);
  const sel = selectFeatures(ds, rowsOf(split.train));
  const train = takeRows(ds, sel.rows, sel.columns);
  const testRows = rowsOf(split.test);
  const test = takeRows(ds, testRows, sel.columns);
  const choice = chooseLambda(train, ds.episodes, { horizonS: H_S });
  const model = fitRidge(gramOf(train.X, train.y, train.p), choice.lambda, train.featureNames);
  return { ds, split, sel, train, test, choice, model };
}

function train(champion: ServingModel | null = null, histories: readonly AssetHistory[] = assets, overrides = {}): JobOutcome {
  return runJob(memorySource(histories), { model: modelConfig(overrides), champion, now: NOW });
}

function expectClose(actual: readonly number[], expected: readonly number[], rel = 1e-9): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(e)));
  });
}

function serving(ridge: RidgeModel, version: string, overrides: Partial<ServingModel> = {}): ServingModel {
  return { version, trainedAt: T0, horizonS: H_S, spec: { windowMs: spec.windowMs, maxGapMs: spec.maxGapMs, requireFullWindow: true }, ridge, rmse: null, ...overrides };
}

/** A model with no features: always predicts `value` seconds. */
function constantModel(value: number): RidgeModel {
  return { featureNames: [], mean: [], std: [], coefStd: [], coef: [], intercept: value, interceptStd: value, lambda: 0, nTrain: 2, solver: 'cholesky' };
}

describe('planDataset + extractDataset (two passes)', () => {
  it('build exactly the dataset buildDataset builds in one pass', () => {
    const source = memorySource(assets);
    const plan = planDataset(source, spec);
    const { dataset, champion } = extractDataset(source, plan, spec, { champion: null, scoreEpisodes: new Set() });
    const expected = buildDataset(assets, spec);
    expect(champion).toBeNull();
    expect(dataset.featureNames).toEqual(expected.featureNames);
    expect(dataset.episodes).toEqual(expected.episodes);
    expect(dataset.notes).toEqual(expected.notes);
    expect(dataset.skipped).toEqual(expected.skipped);
    expect(Array.from(dataset.y)).toEqual(Array.from(expected.y));
    expect(Array.from(dataset.rowTs)).toEqual(Array.from(expected.rowTs));
    expect(Array.from(dataset.rowEpisode)).toEqual(Array.from(expected.rowEpisode));
    // toEqual treats NaN as equal to NaN: the missing `oil` features of most assets must stay NaN.
    expect(Array.from(dataset.X)).toEqual(Array.from(expected.X));
    expect(dataset.X.some(Number.isNaN)).toBe(true);
  });
});

describe('runJob', () => {
  const first = train();
  const hand = byHand(assets);

  it('reports the held-out metrics of the evaluation fit on the latest episodes', () => {
    const m = first.card.metrics;
    const expected = metrics(hand.test.y, predictRows(hand.model, hand.test.X), [0, H_S]);
    expect(first.card.n_train).toBe(hand.train.n);
    expect(first.card.n_test).toBe(hand.test.n);
    expect(first.card.episodes).toEqual({ train: hand.split.train.length, test: hand.split.test.length });
    expect(m.challenger.rmse).toBeCloseTo(expected.rmse, 6);
    expect(m.challenger.r2).toBeCloseTo(expected.r2, 9);
    expect(m.challenger.r2).toBeGreaterThan(0.8);
    expect(m.baseline.rmse).toBeGreaterThan(2 * (m.challenger.rmse as number));
    expect(m.test_period.last_ts).toBe(Math.max(...hand.split.test.map((e) => e.end)));
    expect(first.card.lambda_selection).toMatchObject({ method: 'validation', alpha: hand.choice.alpha, evaluation_lambda: hand.choice.lambda });
    expect(first.model.rmse).toBe(m.challenger.rmse);
  });

  it('with no champion, promotes and refits on every labelled episode with the chosen penalty', () => {
    expect(first.promoted).toBe(true);
    expect(first.card.promotion).toMatch(/^promoted: no champion yet/);
    const all = Int32Array.from([...hand.sel.rows, ...rowsOf(hand.split.test)]).sort();
    const everything = takeRows(hand.ds, all, hand.sel.columns);
    const refit = fitRidge(gramOf(everything.X, everything.y, everything.p), hand.choice.alpha * everything.n, everything.featureNames);
    const served = first.model.ridge;
    expect(served.nTrain).toBe(first.card.n_train + first.card.n_test);
    expect(first.card.n_served).toBe(everything.n);
    expect(served.featureNames).toEqual(hand.model.featureNames);
    expect(served.lambda).toBeCloseTo(refit.lambda, 9);
    expectClose(served.coef, refit.coef, 1e-8);
    expect(served.intercept).toBeCloseTo(refit.intercept, 4);
    // The card describes the served coefficients, and says its metrics are the evaluation fit's.
    expect(first.card.features.map((f) => f.coef)).toEqual(served.coef);
    expect(first.card.metrics.note).toContain(`refit on all ${everything.n} labelled samples`);
  });

  it('scores the champion with its own features on the same test samples', () => {
    // A champion with another window (20 min) and only temp features: it must compute its own.
    const ds20 = buildDataset(assets, { ...spec, windowMs: 20 * MIN, maxGapMs: 10 * MIN, stats: ['mean', 'slope'], sensors: ['temp'] });
    const rows20 = rowsOf(splitByEpisode(ds20.episodes, 0.5).train);
    const d20 = takeRows(ds20, rows20, [0, 1]);
    const fit20 = fitRidge(gramOf(d20.X, d20.y, d20.p), 10, ['temp_mean', 'temp_slope']);
    const champion = serving(fit20, '4', { spec: { windowMs: 20 * MIN, maxGapMs: 10 * MIN, requireFullWindow: true } });
    const outcome = train(champion);
    const m = outcome.card.metrics;
    expect(m.champion).not.toBeNull();
    // Independently: predictAt at every test sample (its time, asset and episode start).
    const yTrue: number[] = [];
    const yChampion: number[] = [];
    const yChallenger: number[] = [];
    for (const e of hand.split.test) {
      const series = assets.find((a) => a.asset === e.asset)!.series;
      for (let r = e.rows[0]; r < e.rows[1]; r++) {
        const p = predictAt(champion, series, hand.ds.rowTs[r] as number, e.start, 0);
        if (!('prediction' in p)) continue;
        yTrue.push(hand.ds.y[r] as number);
        yChampion.push(p.prediction.timeToFaultS);
        yChallenger.push(predictRow(hand.model, Float64Array.from(hand.sel.columns, (c) => hand.ds.X[r * hand.ds.p + c] as number)));
      }
    }
    const expected = metrics(yTrue, yChampion, [0, H_S]);
    expect(m.champion!.version).toBe('4');
    // Its 20 min window is not full in the first 10 min of an episode: those samples it cannot score.
    expect(m.champion!.n).toBe(yTrue.length);
    expect(m.champion!.unscored).toBe(m.challenger.n - yTrue.length);
    expect(m.champion!.unscored).toBeGreaterThan(0);
    expect(m.champion!.rmse).toBeCloseTo(expected.rmse, 6);
    expect(m.champion!.challenger_rmse_same_samples).toBeCloseTo(metrics(yTrue, yChallenger, [0, H_S]).rmse, 6);
  });

  it('promotes over a champion that does worse on the same test samples', () => {
    const outcome = train(serving(constantModel(H_S), '2'));
    expect(outcome.promoted).toBe(true);
    expect(outcome.card.promotion).toMatch(/^promoted: test RMSE [\d.]+ s < champion 2's [\d.]+ s on the same \d+ test samples$/);
    expect(outcome.card.metrics.champion!.rmse).toBeGreaterThan(outcome.card.metrics.challenger.rmse as number);
  });

  it('rejects a challenger that does not beat the champion, and keeps the evaluation fit', () => {
    // The first run's served model was refit on the test episodes too: it knows them better.
    const champion = { ...first.model, version: '1' };
    const outcome = train(champion);
    const m = outcome.card.metrics;
    expect(m.champion!.rmse).toBeLessThan(m.challenger.rmse as number);
    expect(outcome.promoted).toBe(false);
    expect(outcome.card.promoted).toBe(false);
    expect(outcome.card.promotion).toMatch(/^rejected: test RMSE [\d.]+ s is not below champion 1's/);
    expect(outcome.model.ridge.nTrain).toBe(outcome.card.n_train);
    expectClose(outcome.model.ridge.coef, hand.model.coef, 1e-8);
  });

  it('scores a champion that lacks a feature on some samples on the rest, and says so', () => {
    const oilOnly = fitRidge(gramOf(Float64Array.from([40, 41, 42, 45]), Float64Array.from([7000, 5000, 3000, 100]), 1), 1, ['oil_mean']);
    const outcome = train(serving(oilOnly, '3'));
    const m = outcome.card.metrics;
    const oilTest = hand.split.test.filter((e) => e.asset === 'press1' || e.asset === 'press2').reduce((s, e) => s + e.rows[1] - e.rows[0], 0);
    expect(m.champion!.n).toBe(oilTest);
    expect(m.champion!.unscored).toBe(m.challenger.n - oilTest);
    expect(outcome.card.notes.some((n) => n.startsWith(`champion 3 could not score ${m.challenger.n - oilTest} of ${m.challenger.n} test samples; missing features: oil_mean`))).toBe(true);
    expect(outcome.card.promoted).toBe((m.champion!.challenger_rmse_same_samples as number) < (m.champion!.rmse as number));
  });

  it('replaces a champion that cannot score any test sample', () => {
    const ghost = fitRidge(gramOf(Float64Array.from([1, 2, 3]), Float64Array.from([3, 2, 1]), 1), 1, ['ghost_mean']);
    const outcome = train(serving(ghost, '5'));
    expect(outcome.card.metrics.champion).toBeNull();
    expect(outcome.promoted).toBe(true);
    expect(outcome.card.promotion).toBe('promoted: champion 5 could not score any test sample');
  });

  it('uses a fixed lambda as written, for the evaluation fit and the refit', () => {
    const outcome = train(null, assets, { ridge: 25 });
    expect(outcome.card.lambda_selection).toMatchObject({ method: 'fixed', evaluation_lambda: 25 });
    expect(outcome.card.lambda).toBe(25);
    expect(outcome.model.ridge.lambda).toBe(25);
  });

  it('writes a model card with every field of the contract, in plain JSON', () => {
    const card = first.card;
    expect(JSON.parse(JSON.stringify(card))).toEqual(card);
    expect(card).toMatchObject({ version: null, trained_at: new Date(NOW).toISOString(), algorithm: 'ridge', promoted: true, horizon_s: H_S, window_s: 600, stride_s: 300, max_gap_s: 300, full_window: true });
    for (const key of ['mse', 'rmse', 'mae', 'r2', 'n']) {
      expect(typeof (card.metrics.challenger as unknown as Record<string, unknown>)[key]).toBe('number');
      expect(typeof (card.metrics.baseline as unknown as Record<string, unknown>)[key]).toBe('number');
    }
    expect(card.metrics.champion).toBeNull();
    expect(card.metrics.note).toMatch(/^Held-out test period: the \d+ episodes that ended last/);
    expect(card.data_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(card.features.length).toBeGreaterThan(0);
    for (const f of card.features) expect(f.coef).toBeCloseTo(f.coef_std / f.std, 9);
    expect(card.training_window.first).toBe(new Date(card.training_window.first_ts).toISOString());
    expect(card.dropped_features).toEqual(hand.sel.notes.filter((n) => n.startsWith('oil_')));
    expect(card.dropped_features[0]).toMatch(/^oil_\* dropped: missing in \d+% of samples$/);
    expect(card.notes[0]).toBe(hand.ds.notes[0]);
    expect(card.duration_ms).toBeGreaterThanOrEqual(0);
    expect(first.model).toMatchObject({ version: '', trainedAt: NOW, horizonS: H_S, spec: { windowMs: 600_000, maxGapMs: 300_000, requireFullWindow: true } });
  });

  it('hashes the data it trained on: same data, same hash; other data, another', () => {
    expect(train().dataHash).toBe(first.dataHash);
    expect(train(null, syntheticAssets({ assets: 6, oilAssets: 2, seed: 12 })).dataHash).not.toBe(first.dataHash);
  });
});

describe('runJob and the snapshot', () => {
  /** A memory source that records whether each read and each clock tick falls inside its snapshot. */
  function watchedSource() {
    const inner = memorySource(assets);
    const seen = { snapshots: 0, readsOutside: 0, reads: 0, ticksInside: 0, ticksAfter: 0, closed: false };
    let inside = false;
    const read = <F extends (...args: never[]) => unknown>(fn: F): F =>
      ((...args: Parameters<F>) => {
        seen.reads++;
        if (!inside) seen.readsOutside++;
        return fn(...args);
      }) as F;
    const source: TrainingSource = {
      assets: read(inner.assets),
      sensors: read(inner.sensors),
      faults: read(inner.faults),
      readingTimes: read(inner.readingTimes),
      history: read(inner.history),
      snapshot: (fn) => {
        seen.snapshots++;
        inside = true;
        try {
          return fn();
        } finally {
          inside = false;
          seen.closed = true;
        }
      },
    };
    let t = 0;
    const clock = (): number => {
      if (inside) seen.ticksInside++;
      else if (seen.closed) seen.ticksAfter++;
      return t++;
    };
    return { source, seen, clock };
  }

  it('reads only inside one snapshot, and fits after it has ended', () => {
    const { source, seen, clock } = watchedSource();
    const outcome = runJob(source, { model: config, champion: null, now: NOW }, clock);
    expect(outcome.dataHash).toBe(train().dataHash);
    expect(seen.snapshots).toBe(1);
    expect(seen.reads).toBeGreaterThan(assets.length);
    expect(seen.readsOutside).toBe(0);
    // plan and extract time themselves inside it; select, pack, lambda, fit, refit and hash after.
    expect(seen.ticksInside).toBe(4);
    expect(seen.ticksAfter).toBeGreaterThanOrEqual(2 * 6);
    expect(Object.keys(outcome.timings)).toEqual(expect.arrayContaining(['plan', 'extract', 'fit', 'refit']));
  });

  it('ends the snapshot when there is too little data', () => {
    const { source, seen, clock } = watchedSource();
    expect(() => runJob(source, { model: modelConfig({ min_samples: 1e9 }), champion: null, now: NOW }, clock)).toThrow(NotEnoughDataError);
    expect(seen.snapshots).toBe(1);
    expect(seen.closed).toBe(true);
  });
});

describe('runJob with too little data', () => {
  it('says how many labelled samples and episodes it has and what it needs', () => {
    const ds = buildDataset(assets, spec);
    let error: unknown;
    try {
      train(null, assets, { min_samples: 100_000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotEnoughDataError);
    expect((error as NotEnoughDataError).message).toBe(`has ${ds.n} labelled samples from ${ds.episodes.length} episodes, needs model.min_samples = 100000 and at least 2 episodes`);
    expect(error).toMatchObject({ samples: ds.n, episodes: ds.episodes.length, minSamples: 100_000 });
  });

  it('needs two episodes even with enough samples', () => {
    // One asset, one fault, nothing after it: a single episode cannot be split into train and test.
    const [one] = syntheticAssets({ assets: 1, faultsPerAsset: 1 });
    const fault = one!.faults[0]!;
    const cut: AssetHistory = { ...one!, series: new Map([...one!.series].map(([s, readings]) => [s, seriesOf(pointsOf(readings).filter((p) => p.ts <= fault))])) };
    expect(() => train(null, [cut], { min_samples: 10 })).toThrow(/^has \d+ labelled samples from 1 episodes, needs model.min_samples = 10 and at least 2 episodes$/);
  });

  it('has nothing to learn from an empty buffer', () => {
    expect(() => train(null, [])).toThrow('has 0 labelled samples from 0 episodes, needs model.min_samples = 200 and at least 2 episodes');
  });
});

describe('runJob without a usable feature', () => {
  it('fails with the dropped-feature notes rather than fitting a constant', () => {
    // max_gap 1 ms: every window has a longer gap, so every feature of every sample is missing.
    expect(() => train(null, assets, { max_gap: 1 })).toThrow(NoUsableFeatureError);
    expect(() => train(null, assets, { max_gap: 1 })).toThrow(/^no usable feature: every candidate was dropped on the training samples \(oil_\* dropped: missing in 100% of samples; temp_\* dropped: missing in 100% of samples; vib_\* dropped: missing in 100% of samples\)/);
  });
});

describe('datasetSpec', () => {
  it('maps the model section: auto max_gap is half the window, durations stay in ms, horizon in s', () => {
    expect(datasetSpec(modelConfig())).toEqual({ horizonS: H_S, windowMs: 600_000, strideMs: 300_000, maxGapMs: 300_000, requireFullWindow: true, stats: modelConfig().features });
    expect(datasetSpec(modelConfig({ max_gap: 120_000, full_window: false })).maxGapMs).toBe(120_000);
    expect(datasetSpec(modelConfig({ full_window: false })).requireFullWindow).toBe(false);
  });
});
