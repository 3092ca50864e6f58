// Fit, evaluation and promotion gate of one retrain: the challenger, the champion and the constant
// baseline scored on the same held-out rows; then, when promoted, the refit on every labelled episode.
// Pure computation on the dataset (it reuses the dataset's matrix in place); no I/O, no clock.
import { createHash } from 'node:crypto';
import { selectFeatures, takeRows, type Dataset, type DatasetEpisode, type Design } from '../learn/dataset.js';
import { baselineMetrics, metrics, type Metrics } from '../learn/metrics.js';
import { chooseLambda, fitRidge, gramOf, mergeGrams, predictRows, type RidgeModel } from '../learn/ridge.js';
import { rowsOf, type EpisodeSplit } from '../learn/split.js';
import { completeRows, packRowsInPlace } from './design.js';
import { NoUsableFeatureError, NotEnoughDataError } from './errors.js';
import type { ChampionScores } from './extract.js';

/** How λ was set. For `validation` and `default` the penalty per row, α = λ / n, is what was chosen. */
export interface PenaltyChoice {
  readonly lambda: number;
  readonly alpha: number;
  readonly method: 'validation' | 'default' | 'fixed';
  readonly reason: string;
  /** Training samples held out to choose α (the latest training episodes); 0 unless `validation`. */
  readonly validationSamples: number;
}

export interface ChampionResult {
  readonly version: string;
  /** The champion on the held-out rows it could score. */
  readonly metrics: Metrics;
  /** The challenger on exactly those rows: what the gate compares. */
  readonly challenger: Metrics;
  /** Held-out rows the champion could not score (a feature it needs was missing). */
  readonly unscored: number;
}

export interface Evaluation {
  readonly featureNames: string[];
  /** Dropped features and rows, from the training rows only. */
  readonly selectionNotes: string[];
  readonly penalty: PenaltyChoice;
  /** The evaluation fit, on the training episodes: the model the metrics describe. */
  readonly model: RidgeModel;
  /** What serves: the refit on all labelled episodes when promoted, else the evaluation fit. */
  readonly served: RidgeModel;
  readonly challenger: Metrics;
  readonly baseline: Metrics & { readonly prediction: number };
  /** Null when there is no champion, or it could not score a single held-out row. */
  readonly champion: ChampionResult | null;
  readonly promoted: boolean;
  readonly promotion: string;
  readonly notes: string[];
  readonly dataHash: string;
}

export interface EvaluateOptions {
  readonly horizonS: number;
  readonly ridge: 'auto' | number;
  readonly minSamples: number;
  readonly champion: { readonly version: string; readonly scores: ChampionScores } | null;
  /** Runs one named step; the job passes a timer, tests nothing. */
  readonly step?: <T>(name: string, fn: () => T) => T;
}

const direct = <T>(_name: string, fn: () => T): T => fn();

/**
 * Evaluates a challenger on `split` and decides promotion: promoted when there is no champion,
 * when the champion cannot score any held-out row, or when the challenger's RMSE is lower than
 * the champion's on the same rows. Destroys ds.X (the training design is packed into it).
 */
export function evaluate(ds: Dataset, split: EpisodeSplit<DatasetEpisode>, options: EvaluateOptions): Evaluation {
  const step = options.step ?? direct;
  const range: [number, number] = [0, options.horizonS];
  const sel = step('select', () => selectFeatures(ds, rowsOf(split.train)));
  if (sel.columns.length === 0) throw new NoUsableFeatureError(sel.notes);
  const testRows = completeRows(ds, rowsOf(split.test), sel.columns);
  const test = takeRows(ds, testRows, sel.columns);
  const train = step('pack', () => packRowsInPlace(ds, sel.rows, sel.columns));
  requireRows(train, test, split, options.minSamples);
  const notes: string[] = [];
  const droppedTest = rowsOf(split.test).length - test.n;
  if (droppedTest > 0) notes.push(`${droppedTest} of ${droppedTest + test.n} test samples left out: a selected feature was missing`);

  const penalty = step('lambda', () => choosePenalty(train, ds.episodes, options));
  const trainGram = step('fit', () => gramOf(train.X, train.y, train.p));
  const model = fitRidge(trainGram, penalty.lambda, train.featureNames);
  const predicted = predictRows(model, test.X);
  const challenger = metrics(test.y, predicted, range);
  const baseline = baselineMetrics(train.y, test.y, range);
  const champion = options.champion === null ? null : scoreChampion(options.champion, testRows, test.y, predicted, range, notes);
  const { promoted, promotion } = gate(options.champion?.version ?? null, champion, challenger);

  const served = !promoted
    ? model
    : step('refit', () => {
        const all = mergeGrams(trainGram, gramOf(test.X, test.y, test.p));
        // ridge: auto chose the penalty per row (α); a fixed λ from the config stays as written.
        const lambda = penalty.method === 'fixed' ? penalty.lambda : penalty.alpha * all.n;
        return fitRidge(all, lambda, train.featureNames);
      });
  const dataHash = step('hash', () => hashDesigns(train, test));
  return { featureNames: train.featureNames, selectionNotes: sel.notes, penalty, model, served, challenger, baseline, champion, promoted, promotion, notes, dataHash };
}

function requireRows(train: Design, test: Design, split: EpisodeSplit<DatasetEpisode>, minSamples: number): void {
  const episodes = split.train.length + split.test.length;
  if (train.n < 2) {
    throw new NotEnoughDataError(train.n, episodes, minSamples,
      `has ${train.n} training samples with every selected feature in ${split.train.length} training episodes, needs at least 2`);
  }
  if (test.n === 0) {
    throw new NotEnoughDataError(train.n, episodes, minSamples,
      `has no test sample with every selected feature in the ${split.test.length} latest episodes, needs at least 1 to evaluate`);
  }
}

function choosePenalty(train: Design, episodes: readonly DatasetEpisode[], options: EvaluateOptions): PenaltyChoice {
  if (options.ridge !== 'auto') {
    return { lambda: options.ridge, alpha: options.ridge / train.n, method: 'fixed', reason: `model.ridge = ${options.ridge}`, validationSamples: 0 };
  }
  const choice = chooseLambda(train, episodes, { horizonS: options.horizonS });
  return { lambda: choice.lambda, alpha: choice.alpha, method: choice.method, reason: choice.reason, validationSamples: choice.nValidation };
}

/** The champion and the challenger on the held-out rows the champion could predict. */
function scoreChampion(
  champion: { readonly version: string; readonly scores: ChampionScores },
  testRows: Int32Array,
  yTest: Float64Array,
  predicted: Float64Array,
  range: [number, number],
  notes: string[],
): ChampionResult | null {
  const scored: number[] = [];
  testRows.forEach((row, i) => {
    if (!Number.isNaN(champion.scores.predictions[row])) scored.push(i);
  });
  const unscored = testRows.length - scored.length;
  if (unscored > 0) {
    const lacking = Object.entries(champion.scores.missing)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([name, count]) => `${name} (${count})`);
    notes.push(`champion ${champion.version} could not score ${unscored} of ${testRows.length} test samples; missing features: ${lacking.join(', ')}`);
  }
  if (scored.length === 0) return null;
  const y = Float64Array.from(scored, (i) => yTest[i] as number);
  const mine = Float64Array.from(scored, (i) => predicted[i] as number);
  const theirs = Float64Array.from(scored, (i) => champion.scores.predictions[testRows[i] as number] as number);
  return { version: champion.version, metrics: metrics(y, theirs, range), challenger: metrics(y, mine, range), unscored };
}

/** The promotion rule, with the sentence the model card gives for it. */
export function gate(championVersion: string | null, champion: ChampionResult | null, challenger: Metrics): { promoted: boolean; promotion: string } {
  const fmt = (v: number): string => v.toFixed(1);
  if (championVersion === null) return { promoted: true, promotion: `promoted: no champion yet (test RMSE ${fmt(challenger.rmse)} s)` };
  if (champion === null) {
    return { promoted: true, promotion: `promoted: champion ${championVersion} could not score any test sample` };
  }
  const ours = champion.challenger.rmse;
  const theirs = champion.metrics.rmse;
  const same = `on the same ${champion.metrics.n} test samples`;
  if (ours < theirs) return { promoted: true, promotion: `promoted: test RMSE ${fmt(ours)} s < champion ${championVersion}'s ${fmt(theirs)} s ${same}` };
  return { promoted: false, promotion: `rejected: test RMSE ${fmt(ours)} s is not below champion ${championVersion}'s ${fmt(theirs)} s ${same}` };
}

/** sha256 of what the evaluation fit saw: feature names, training and test designs and labels. */
function hashDesigns(train: Design, test: Design): string {
  const hash = createHash('sha256').update(JSON.stringify(train.featureNames));
  for (const a of [train.X, train.y, test.X, test.y]) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return `sha256:${hash.digest('hex')}`;
}
