// One asset's part of a retrain: the statistics of each of its episodes that are not final in the
// cache yet. A closed episode (its fault came) is computed once; the open tail after the last fault
// continues from where the last retrain stopped. Reads only the readings it has not seen.
// Pure given its reader: the caller passes readings in and stores what comes back.
import { EpisodeAccumulator, OPEN, type EpisodeRecord } from '../learn/episode-stats.js';
import { FeatureStream, type Normalizer } from '../learn/feature-stream.js';
import { featureNames, type Recipe } from '../learn/recipe.js';

/** The readings of one timestamp: [sensor, value] pairs. */
export type Event = readonly [number, ReadonlyArray<readonly [string, number]>];

export interface AssetInput {
  readonly asset: string;
  /** Fault times, ascending, each once. */
  readonly faults: readonly number[];
  /** The newest reading of the recipe's sensors and conditions. */
  readonly lastDataTs: number;
  /** This recipe's cached episodes of the asset, by key. */
  readonly cached: ReadonlyMap<string, EpisodeRecord>;
  /** Readings with from < ts ≤ to, in time order. */
  readonly read: (from: number, to: number) => Iterable<Event>;
}

export interface AssetOutput {
  /** New or changed episodes, to store. */
  readonly records: EpisodeRecord[];
  /** Keys to delete (an open tail that a fault closed). */
  readonly removed: string[];
}

/**
 * Brings the asset's episodes up to date. A cached open tail is continued only when every row it
 * holds is still labelled right: a fault at F relabels the rows within the horizon before F.
 */
export function assetPass(recipe: Recipe, normalizer: Normalizer | null, input: AssetInput): AssetOutput {
  const horizonMs = recipe.horizonS * 1000;
  const records: EpisodeRecord[] = [];
  const removed: string[] = [];
  let open = input.cached.get(OPEN) ?? null;
  let previous = -Infinity;
  for (const fault of input.faults) {
    const key = String(fault);
    if (!input.cached.has(key)) {
      const continued = open !== null && open.start > previous && open.resume !== null && fault - open.resume.through >= horizonMs ? open : null;
      records.push(runEpisode(recipe, normalizer, input, { key, from: previous, to: fault, faultTs: fault, continued }));
    }
    if (open !== null && open.start <= fault) {
      removed.push(OPEN);
      open = null;
    }
    previous = fault;
  }
  const labelledTo = input.lastDataTs - horizonMs;
  if (labelledTo > previous) {
    const continued = open !== null && open.resume !== null && open.resume.through <= labelledTo ? open : null;
    if (continued === null || continued.resume === null || continued.resume.through < labelledTo) {
      records.push(runEpisode(recipe, normalizer, input, { key: OPEN, from: previous, to: labelledTo, faultTs: null, continued }));
    }
  }
  // An episode whose fault retention has deleted goes from the cache too: the cache keeps what the buffer keeps.
  const faults = new Set(input.faults.map(String));
  for (const key of input.cached.keys()) if (key !== OPEN && !faults.has(key)) removed.push(key);
  return { records: records.filter((r) => r.rows > 0 || r.incomplete > 0 || r.faultTs !== null), removed: removed.filter((k) => !records.some((r) => r.key === k)) };
}

interface EpisodeRun {
  readonly key: string;
  /** The previous fault (exclusive start), or −Infinity. */
  readonly from: number;
  /** The fault, or the last labelled moment of an open tail (inclusive). */
  readonly to: number;
  readonly faultTs: number | null;
  /** An open tail to continue from, or null to start from the episode's first reading. */
  readonly continued: EpisodeRecord | null;
}

function runEpisode(recipe: Recipe, normalizer: Normalizer | null, input: AssetInput, run: EpisodeRun): EpisodeRecord {
  const p = featureNames(recipe).length;
  const horizonS = recipe.horizonS;
  const resume = run.continued?.resume ?? null;
  const stream = resume ? FeatureStream.resume(recipe, normalizer, resume.stream) : new FeatureStream(recipe, normalizer);
  const acc = new EpisodeAccumulator(p, run.continued ?? undefined);
  const row = new Float64Array(p);
  let nextSample = resume?.nextSample ?? -Infinity;
  let start = run.continued?.start ?? NaN;
  for (const [ts, readings] of input.read(resume?.through ?? run.from, run.to)) {
    stream.push(ts, readings);
    if (Number.isNaN(start)) start = stream.episodeStart;
    if (ts < nextSample || (recipe.requireFullWindow && ts < stream.episodeStart + recipe.windowMs)) continue;
    if (!stream.row(ts, row)) continue;
    const label = run.faultTs === null ? horizonS : Math.min((run.faultTs - ts) / 1000, horizonS);
    acc.add(row, label, ts);
    nextSample = ts + recipe.strideMs;
  }
  const sums = acc.finish();
  const final = run.faultTs !== null;
  return {
    ...sums,
    asset: input.asset,
    key: run.key,
    start: Number.isNaN(start) ? run.to : start,
    // An open tail ends at its last labelled reading, as labels.ts has it.
    end: final ? run.to : Math.max(stream.newest, run.continued?.end ?? -Infinity),
    faultTs: run.faultTs,
    resume: final ? null : { through: run.to, nextSample, stream: stream.state() },
  };
}
