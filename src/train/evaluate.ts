// Fit, evaluation and promotion gate of one retrain, from per-episode statistics: the split by
// episode in time order, λ on the latest training episodes, the challenger, the champion and the
// constant baseline scored on the same held-out episodes, the monotone calibration, and the refit on
// every episode when promoted. Pure computation; the statistics come from a UnitSource.
import { SAMPLE_ROWS, type RowSample } from '../learn/episode-stats.js';
import { selectGramColumns, type Gram } from '../learn/gram.js';
import { calibrate } from '../learn/isotonic.js';
import { predictRow, type RidgeModel } from '../learn/linear.js';
import { metrics, type Metrics } from '../learn/metrics.js';
import { columnsOf, type Calibration, type ServingModel } from '../learn/model.js';
import { metricsFromGram, type LinearModel } from '../learn/gram-metrics.js';
import { chooseLambdaFromSums, DEFAULT_RIDGE_ALPHA, fitRidge, RIDGE_ALPHA_GRID, solveRidge, standardize } from '../learn/ridge.js';
import { splitByEpisode, type EpisodeSplit } from '../learn/split.js';
import type { RowAggregates } from '../fleet/types.js';
import { NoUsableFeatureError, NotEnoughDataError } from './errors.js';
import { sumParts, type PartSums } from './part-sums.js';
import { bestAlpha, binnedCalibration, clippedSse, pooledCalibration, type BinnedCalibration, type ValidationSums } from './fleet-aggregates.js';

/** An episode (or a fleet member's episode) as the split and the sums see it. */
export interface Unit {
  /** "asset" for this gateway's episodes, "member/asset" for a fleet member's. */
  readonly asset: string;
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly rows: number;
  /** Sampled rows left out because a feature was missing. */
  readonly incomplete: number;
  /** Whether its rows are here (this gateway's own), so a row sample exists. */
  readonly own: boolean;
}

/** Where the statistics of units are read from, one unit at a time. */
export interface UnitSource {
  gram(unit: Unit): Gram | null;
  sample(unit: Unit): RowSample | null;
}

/** How λ was set. For `validation` and `default` the penalty per row, α = λ / n, is what was chosen. */
export interface PenaltyChoice {
  readonly lambda: number;
  readonly alpha: number | null;
  readonly method: 'validation' | 'default' | 'fixed';
  readonly reason: string;
  /** Training samples held out to choose α (the latest training episodes); 0 unless `validation`. */
  readonly validationSamples: number;
}

/** The champion and the challenger on the same episodes: what the gate compares. */
export interface Comparison {
  readonly version: string;
  /** unseen: test episodes that ended after the champion's training data; refit: the champion's choices refit on the challenger's training episodes. */
  readonly method: 'unseen' | 'refit';
  readonly episodes: number;
  readonly champion: Metrics;
  readonly challenger: Metrics;
}

export interface Evaluation {
  readonly featureNames: string[];
  readonly penalty: Penalty;
  /** The evaluation fit, on the training episodes: the model the metrics describe. */
  readonly model: RidgeModel;
  /** What serves: the refit on all labelled episodes when promoted, else the evaluation fit. */
  readonly served: RidgeModel;
  readonly calibration: Calibration | null;
  readonly servedCalibration: Calibration | null;
  /** On every row of the test episodes, from their sums: the linear score, unclipped. */
  readonly challenger: Metrics;
  readonly baseline: Metrics & { readonly prediction: number };
  /** On the sampled rows of this gateway's test episodes: the served output, calibrated and clipped. */
  readonly sampled: Metrics;
  /** The mean training label on the same sampled rows. */
  readonly sampledBaseline: Metrics;
  readonly comparison: Comparison | null;
  readonly promoted: boolean;
  readonly promotion: string;
  readonly split: EpisodeSplit<Unit>;
  /** Per asset, the end of the latest episode the served fit learnt from. */
  readonly seen: Record<string, number>;
  /** In a fleet: this gateway's row sums for the others, and how many rows of how many members λ and the calibration drew on. */
  readonly fleet: { readonly aggregates: RowAggregates; readonly validationRows: number; readonly calibrationRows: number; readonly contributors: number } | null;
  readonly notes: string[];
}

export interface EvaluateOptions {
  readonly featureNames: readonly string[];
  readonly horizonS: number;
  readonly ridge: 'auto' | number;
  readonly testFraction: number;
  readonly minSamples: number;
  /** The serving model's version, or null when there is none. */
  readonly championVersion: string | null;
  /** The serving model when its recipe is this retrain's (a champion of another recipe is compared by `compareOther`). */
  readonly champion: ServingModel | null;
  /** For a champion of another recipe: both models scored on the test episodes its recipe can be computed for. */
  readonly compareOther?: (test: readonly Unit[], challenger: RidgeModel) => Comparison | null;
  /**
   * In a fleet: the name of the fit (fleet-view.ts), the members' row sums for this same fit, and
   * the members that have yet to send theirs (the fit is not promoted until they have).
   */
  readonly fleet?: { readonly fit: string; readonly members: readonly RowAggregates[]; readonly waitingFor: readonly string[] };
  /** Runs one named step; the job passes a timer, tests nothing. */
  readonly step?: <T>(name: string, fn: () => T) => T;
}

const direct = <T>(_name: string, fn: () => T): T => fn();

/**
 * Evaluates a challenger and decides promotion: promoted when there is no champion, or when the
 * challenger's RMSE is lower than the champion's on the same episodes, none of which the champion
 * was fitted on (issue 14: a champion refit on every episode must not win by having seen them).
 */
export function evaluate(units: readonly Unit[], source: UnitSource, options: EvaluateOptions): Evaluation {
  const step = options.step ?? direct;
  const p = options.featureNames.length;
  const usable = units.filter((u) => u.rows > 0);
  const samples = usable.reduce((sum, u) => sum + u.rows, 0);
  if (samples < options.minSamples || usable.length < 2) throw new NotEnoughDataError(samples, usable.length, options.minSamples);
  const split = splitByEpisode(usable, options.testFraction);
  const lambdaSplit = validationSplit(split.train, options);
  const champion = options.champion;
  const unseen = champion === null ? [] : split.test.filter((u) => neverSeen(champion, u));
  const unseenSet = new Set(unseen);
  const parts = { fit: lambdaSplit?.train ?? split.train, validation: lambdaSplit?.test ?? [], unseen, seen: split.test.filter((u) => !unseenSet.has(u)) };
  // Every Gram is read once, here: reading one is most of what a retrain from the cache costs.
  const sums = step('sum', () => sumParts(p, parts, source));
  const { train: trainGram, test: testGram, all } = sums;
  if (standardize(trainGram).active.length === 0) throw new NoUsableFeatureError(['every feature is constant on the training samples']);
  const penalty = step('lambda', () => choosePenalty(split.train, lambdaSplit, sums, source, options));
  const model = step('fit', () => fitRidge(trainGram, penalty.lambda, options.featureNames));
  const challenger = linearMetrics(testGram, model);
  const baseline = baselineOf(trainGram, testGram);
  const notes: string[] = [];

  const trainSamples = samplesOf(split.train, source);
  const calibration = step('calibrate', () => calibrationOf(model, trainSamples, options.horizonS));
  const testSamples = samplesOf(split.test, source);
  const sampled = sampledMetrics(model, calibration, testSamples, options.horizonS);
  const sampledBaseline = metrics(Float64Array.from(testSamples, (r) => r.y), new Float64Array(testSamples.length).fill(baseline.prediction), [0, options.horizonS]);
  const comparison = step('compare', () => compare(split.test, unseen, sums, model, options));
  let { promoted, promotion } = gate(options.championVersion, comparison);

  const ownRows = [...trainSamples, ...testSamples];
  const fleet = options.fleet ? step('fleet', () => fleetCalibration(all, ownRows, penalty, options)) : null;
  if (fleet && !promoted && recalibrates(options, penalty, fleet.calibrationRows)) {
    promoted = true;
    promotion = `promoted: the same coefficients as champion ${options.championVersion ?? '?'}, calibrated on the rows of ${fleet.contributors} fleet members (${fleet.calibrationRows} rows, ${options.champion?.fleet?.calibrationRows ?? 0} before)`;
  }
  const waiting = options.fleet?.waitingFor ?? [];
  if (promoted && waiting.length > 0) {
    // Every member must choose λ and calibrate from the same sums, or the fleet's agents would differ.
    promoted = false;
    promotion = `not promoted yet: waiting for ${waiting.join(', ')} to score this fit on their rows (λ and the calibration); ${promotion}`;
  }
  let served = model;
  let servedCalibration = calibration;
  if (promoted) {
    step('refit', () => {
      served = fitRidge(all, penalty.alpha === null ? penalty.lambda : penalty.alpha * all.n, options.featureNames);
      servedCalibration = fleet ? fleet.calibration : calibrationOf(served, ownRows, options.horizonS);
    });
  }
  const seen: Record<string, number> = {};
  for (const u of promoted ? usable : split.train) seen[u.asset] = Math.max(seen[u.asset] ?? -Infinity, u.end);
  if (split.test.some((u) => !u.own)) notes.push(`the sampled test metrics cover this gateway's test episodes only (${split.test.filter((u) => u.own).length} of ${split.test.length})`);
  const validationRows = penalty.validation.reduce((sum, v) => sum + v.rows, 0);
  return {
    featureNames: [...options.featureNames],
    penalty,
    model,
    served,
    calibration,
    servedCalibration,
    challenger,
    baseline,
    sampled,
    sampledBaseline,
    comparison,
    promoted,
    promotion,
    split,
    seen,
    fleet: fleet && { aggregates: { ...fleet.aggregates, validation: penalty.own }, validationRows, calibrationRows: fleet.calibrationRows, contributors: fleet.contributors },
    notes,
  };
}

/** How λ was set, with the validation sums it was set from: this gateway's, and the fleet's added. */
interface Penalty extends PenaltyChoice {
  /** This gateway's clipped squared errors per α on its validation rows (null unless chosen on rows). */
  readonly own: ValidationSums | null;
  /** Every part the choice summed: this gateway's and the members'. */
  readonly validation: readonly ValidationSums[];
}

/** λ's fit and validation episodes (the latest training ones), when λ is chosen on episodes; else null. */
function validationSplit(train: readonly Unit[], options: EvaluateOptions): EpisodeSplit<Unit> | null {
  return options.ridge === 'auto' && train.length >= 2 ? splitByEpisode(train, 0.2) : null;
}

function choosePenalty(train: readonly Unit[], split: EpisodeSplit<Unit> | null, sums: PartSums, source: UnitSource, options: EvaluateOptions): Penalty {
  const none = { own: null, validation: [] };
  if (options.ridge !== 'auto') {
    return { lambda: options.ridge, alpha: null, method: 'fixed', reason: `model.ridge = ${options.ridge}`, validationSamples: 0, ...none };
  }
  const n = train.reduce((s, u) => s + u.rows, 0);
  if (split === null) {
    const alpha = DEFAULT_RIDGE_ALPHA;
    return { lambda: alpha * n, alpha, method: 'default', reason: `default alpha ${alpha}: ${train.length} training episode(s), need 2 to validate`, validationSamples: 0, ...none };
  }
  const fit = sums.fit;
  const rows = samplesOf(split.test, source);
  // Scored on the validation episodes' sampled rows, clipped to [0, H] as served: an α that lets the
  // score run past the horizon for healthy machines costs nothing there, as it costs nothing live.
  // In a fleet, the members' sums for the same fit are added: every member then chooses alike.
  const sys = fit.n >= 2 ? standardize(fit) : null;
  const own = sys && rows.length > 0 ? clippedSse(RIDGE_ALPHA_GRID.map((alpha) => solveRidge(sys, alpha * fit.n)), rows, options.horizonS) : null;
  const validation = [...(own ? [own] : []), ...(options.fleet?.members.flatMap((m) => (m.validation ? [m.validation] : [])) ?? [])];
  const best = bestAlpha(validation, RIDGE_ALPHA_GRID);
  if (best === null) {
    // No rows of the validation episodes here (a fleet member's): scored from their sums, unclipped.
    const choice = chooseLambdaFromSums(fit, sums.validation);
    return { lambda: choice.alpha * n, alpha: choice.alpha, method: choice.method, reason: `${choice.reason}, the ${split.test.length} latest of ${train.length} training episodes`, validationSamples: choice.nValidation, ...none };
  }
  const alpha = RIDGE_ALPHA_GRID[best] as number;
  const scored = validation.reduce((s, v) => s + v.rows, 0);
  const rmse = Math.sqrt(validation.reduce((s, v) => s + (v.sse[best] as number), 0) / scored);
  const members = validation.length > (own ? 1 : 0) ? ` (${validation.length} fleet members' rows)` : '';
  const reason = `alpha ${alpha} by validation RMSE ${rmse.toFixed(1)} s on ${scored} sampled rows${members} of the ${split.test.length} latest of ${train.length} training episodes`;
  return { lambda: alpha * n, alpha, method: 'validation', reason, validationSamples: scored, own, validation };
}

/**
 * In a fleet: this gateway's calibration of the final fit at every α (for the others), and the
 * served calibration at the chosen α, averaged over every member that calibrated the same fit.
 */
function fleetCalibration(all: Gram, ownRows: readonly Sampled[], penalty: Penalty, options: EvaluateOptions) {
  const sys = standardize(all);
  const alphas = penalty.alpha === null ? [penalty.lambda / all.n] : RIDGE_ALPHA_GRID;
  const own = alphas.map((alpha) => binnedCalibration(solveRidge(sys, alpha * all.n), ownRows, options.horizonS));
  const chosen = penalty.alpha === null ? 0 : alphas.indexOf(penalty.alpha);
  const parts = [own[chosen] ?? null, ...(options.fleet?.members.map((m) => m.calibration[chosen] ?? null) ?? [])].filter((c): c is BinnedCalibration => c !== null);
  const aggregates: RowAggregates = { fit: options.fleet?.fit ?? '', alphas: [...alphas], validation: null, calibration: own };
  return { aggregates, calibration: pooledCalibration(parts, options.horizonS), calibrationRows: parts.reduce((sum, c) => sum + c.rows, 0), contributors: parts.length };
}

/** A fit the champion already serves, now calibrated on more of the fleet's rows: worth promoting. */
function recalibrates(options: EvaluateOptions, penalty: Penalty, calibrationRows: number): boolean {
  const champion = options.champion?.fleet;
  return champion !== undefined && champion.fit === options.fleet?.fit && options.champion?.alpha === penalty.alpha && calibrationRows > champion.calibrationRows;
}

/** The constant baseline: the mean training label, on every test row, from the sums. */
function baselineOf(train: Gram, test: Gram): Metrics & { prediction: number } {
  const prediction = train.shiftY + train.sy / train.n;
  return { ...linearMetrics(test, { intercept: prediction, coef: new Array<number>(train.p).fill(0) }), prediction };
}

interface Sampled {
  readonly x: Float64Array;
  readonly y: number;
}

/**
 * Sampled rows read for one purpose (λ, calibration, the sampled test metrics) stay below this: with
 * thousands of episodes, every one's sample would cost hundreds of MB, and 50,000 rows spread over
 * the episodes measure and calibrate as well.
 */
export const MAX_SAMPLED_ROWS = 50_000;

/** The sampled rows of this gateway's units; of every k-th unit when all would pass MAX_SAMPLED_ROWS. */
function samplesOf(units: readonly Unit[], source: UnitSource): Sampled[] {
  const own = units.filter((u) => u.own);
  const every = Math.max(1, Math.ceil((own.length * SAMPLE_ROWS) / MAX_SAMPLED_ROWS));
  const out: Sampled[] = [];
  own.forEach((u, i) => {
    const s = i % every === 0 ? source.sample(u) : null;
    if (!s) return;
    for (let r = 0; r < s.y.length; r++) out.push({ x: s.x.subarray(r * s.p, (r + 1) * s.p), y: s.y[r] as number });
  });
  return out;
}

/** The monotone map from the linear score to the label, fitted on rows (binned as a fleet's are); null with too few. */
function calibrationOf(model: RidgeModel, rows: readonly Sampled[], horizonS: number): Calibration | null {
  const bins = binnedCalibration(model, rows, horizonS);
  return bins && pooledCalibration([bins], horizonS);
}

function sampledMetrics(model: RidgeModel, calibration: Calibration | null, rows: readonly Sampled[], horizonS: number): Metrics {
  const y = Float64Array.from(rows, (r) => r.y);
  const predicted = Float64Array.from(rows, (r) => {
    const raw = predictRow(model, r.x);
    return calibration ? calibrate(calibration, raw) : raw;
  });
  return metrics(y, predicted, [0, horizonS]);
}

/** The champion and the challenger on the same episodes, none of which the champion was fitted on. */
function compare(test: readonly Unit[], unseen: readonly Unit[], sums: PartSums, model: RidgeModel, options: EvaluateOptions): Comparison | null {
  const champion = options.champion;
  if (champion === null) return options.compareOther?.(test, model) ?? null;
  // The champion's own columns of the recipe (all of them, unless an earlier release made it).
  const columns = columnsOf(champion);
  const own = (g: Gram): Gram => selectGramColumns(g, columns);
  if (unseen.length > 0) {
    // The challenger's choices fitted on every episode but those (the training episodes and the
    // test episodes the champion saw): what the champion learnt from and what came since, so a
    // model that learnt from more data is judged as such.
    const g = sums.unseen;
    const fit = sums.others;
    const lambda = options.ridge === 'auto' ? (model.lambda / model.nTrain) * fit.n : model.lambda;
    const challenger = fitRidge(fit, lambda, model.featureNames);
    return { version: champion.version, method: 'unseen', episodes: unseen.length, champion: linearMetrics(own(g), champion.ridge), challenger: linearMetrics(g, challenger) };
  }
  // Every test episode was in the champion's fit: refit its choices (its penalty per row) on the
  // challenger's training episodes, and compare the two on the test episodes.
  const lambda = champion.alpha === null ? champion.ridge.lambda : champion.alpha * sums.train.n;
  const refit = fitRidge(own(sums.train), lambda, champion.ridge.featureNames);
  return { version: champion.version, method: 'refit', episodes: test.length, champion: linearMetrics(own(sums.test), refit), challenger: linearMetrics(sums.test, model) };
}

/** Metrics of a linear model on the rows a Gram summarizes; MAE needs rows, so it is NaN here. */
export function linearMetrics(g: Gram, model: LinearModel): Metrics {
  return { ...metricsFromGram(g, model), mae: NaN };
}

/**
 * True when no row of the episode was in the champion's fit: it began after the last episode of
 * its asset the champion learnt from ended. An open tail the champion saw part of does not count.
 */
export function neverSeen(champion: Pick<ServingModel, 'seen'>, unit: Pick<Unit, 'asset' | 'start'>): boolean {
  return unit.start > (champion.seen[unit.asset] ?? champion.seen['*'] ?? -Infinity);
}

/** The promotion rule, with the sentence the model card gives for it. */
export function gate(championVersion: string | null, comparison: Comparison | null): { promoted: boolean; promotion: string } {
  const fmt = (v: number): string => v.toFixed(1);
  if (championVersion === null && comparison === null) return { promoted: true, promotion: 'promoted: no champion yet' };
  if (comparison === null) return { promoted: true, promotion: `promoted: champion ${championVersion ?? '?'} cannot be scored on the test episodes` };
  const ours = comparison.challenger.rmse;
  const theirs = comparison.champion.rmse;
  const how =
    comparison.method === 'unseen'
      ? `on the ${comparison.episodes} test episodes champion ${comparison.version} never saw`
      : `on the ${comparison.episodes} test episodes, champion ${comparison.version}'s choices refit on this model's training episodes`;
  if (ours < theirs) return { promoted: true, promotion: `promoted: test RMSE ${fmt(ours)} s < champion ${comparison.version}'s ${fmt(theirs)} s ${how}` };
  return { promoted: false, promotion: `rejected: test RMSE ${fmt(ours)} s is not below champion ${comparison.version}'s ${fmt(theirs)} s ${how}` };
}
