// The train/test split by whole episodes in time order, and rows of a set of episodes.
// Pure; never random and never cuts inside an episode (a random split leaks the future).

/** What the split needs to know of an episode; times in epoch ms. */
export interface EpisodeTiming {
  readonly asset: string;
  readonly start: number;
  readonly end: number;
}

export interface EpisodeSplit<E> {
  readonly train: E[];
  readonly test: E[];
}

/** Thrown when there are too few episodes to hold one out; the trainer maps it to "not enough labelled data". */
export class NotEnoughEpisodesError extends Error {
  readonly code = 'not_enough_episodes';
  constructor(readonly episodes: number) {
    super(`need at least 2 labelled episodes to split train and test by episode, have ${episodes}`);
    this.name = 'NotEnoughEpisodesError';
  }
}

/**
 * Time order: by end, then asset name, then start, so equal ends split the same way every run. A
 * fleet member's episode ("member/asset") ties by its asset's name first, so a fleet orders equal
 * ends as one agent with all the assets would.
 */
export function compareEpisodes(a: EpisodeTiming, b: EpisodeTiming): number {
  if (a.end !== b.end) return a.end - b.end;
  const [x, y] = [assetName(a.asset), assetName(b.asset)];
  if (x !== y) return x < y ? -1 : 1;
  if (a.asset !== b.asset) return a.asset < b.asset ? -1 : 1;
  return a.start - b.start;
}

/** The asset's own name: a topic level, so it has no "/"; what precedes one names a fleet member. */
const assetName = (asset: string): string => asset.slice(asset.indexOf('/') + 1);

/**
 * Number of held-out episodes: round(fraction × n) (halves round up), at least 1 and at
 * most n − 1 so both sides have an episode.
 */
export function testEpisodeCount(n: number, testFraction: number): number {
  return Math.min(n - 1, Math.max(1, Math.round(testFraction * n)));
}

/**
 * Sorts the episodes by `compareEpisodes` and holds out the last `testEpisodeCount` of them
 * as the test set (the most recent behaviour is what the model will face next).
 * Throws NotEnoughEpisodesError with fewer than 2 episodes, RangeError for a fraction
 * outside (0, 1).
 */
export function splitByEpisode<E extends EpisodeTiming>(episodes: readonly E[], testFraction: number): EpisodeSplit<E> {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`test fraction must be in (0, 1), got ${testFraction}`);
  if (episodes.length < 2) throw new NotEnoughEpisodesError(episodes.length);
  const ordered = [...episodes].sort(compareEpisodes);
  const cut = ordered.length - testEpisodeCount(ordered.length, testFraction);
  return { train: ordered.slice(0, cut), test: ordered.slice(cut) };
}

/** Row indices of the given episodes' half-open row ranges, ascending. */
export function rowsOf(episodes: ReadonlyArray<{ readonly rows: readonly [number, number] }>): Int32Array {
  const ranges = episodes.map((e) => e.rows).sort((a, b) => a[0] - b[0]);
  const out = new Int32Array(ranges.reduce((sum, [from, to]) => sum + Math.max(0, to - from), 0));
  let k = 0;
  for (const [from, to] of ranges) for (let r = from; r < to; r++) out[k++] = r;
  return out;
}
