// The episodes a retrain learns from in a fleet: this gateway's, in shareable units, and every
// member's summed under the same recipe, all named "<agent>/<asset>" so that every agent splits and
// sums them alike. Members with another recipe are left out with the reason. Pure.
import { createHash } from 'node:crypto';
import { MIN_SHARED_ROWS, type FleetStats, type SharedEpisode } from '../fleet/types.js';
import { SAMPLE_ROWS, type RowSample } from '../learn/episode-stats.js';
import { GramSum, type Gram } from '../learn/gram.js';
import type { Unit, UnitSource } from './evaluate.js';

/** This gateway's cached episodes, as the job's EpisodeStore lists them: units before they are named own or a member's. */
export type OwnEpisode = Omit<Unit, 'own'>;

export interface FleetView {
  readonly units: Unit[];
  readonly source: UnitSource;
  /** What this gateway shares: its units, each of at least MIN_SHARED_ROWS rows. */
  readonly shared: SharedEpisode[];
  /** Names the fit: the recipe and every unit, so members with the same units know they fit alike. */
  readonly fit: string;
  /** For the card: each member's units and rows, and those left out with the reason. */
  readonly members: Array<{ agent: string; episodes: number; rows: number }>;
  readonly leftOut: Array<{ agent: string; reason: string }>;
}

export interface OwnStatistics {
  gram(episode: OwnEpisode): Gram | null;
  sample(episode: OwnEpisode): RowSample | null;
}

/**
 * The fleet's units for a retrain under recipe `hash` with config key `configKey`. This gateway's
 * episodes are grouped per asset, oldest first, until a group has MIN_SHARED_ROWS rows (a short
 * last group joins the one before); an asset with fewer rows in all is left out of the fleet's fit,
 * since no member could see it.
 */
export function fleetView(self: string, hash: string, configKey: string, own: readonly OwnEpisode[], stats: OwnStatistics, members: readonly FleetStats[]): FleetView {
  const grouped = groupOwn(own);
  const groups = foldOldest(grouped);
  const ownUnits = groups.map((g) => unitOf(self, g));
  const grams = new Map<Unit, Gram | null>();
  const samples = new Map<Unit, RowSample | null>();
  const shared: SharedEpisode[] = [];
  groups.forEach((group, i) => {
    const unit = ownUnits[i] as Unit;
    const gram = sumGrams(group.map((e) => stats.gram(e)));
    grams.set(unit, gram);
    samples.set(unit, joinSamples(group.map((e) => stats.sample(e))));
    if (gram) shared.push({ asset: assetOf(group), key: unit.key, start: unit.start, end: unit.end, rows: unit.rows, gram });
  });
  const units = [...ownUnits];
  const used = [{ agent: self, episodes: ownUnits.length, rows: ownUnits.reduce((sum, u) => sum + u.rows, 0) }];
  const leftOut: Array<{ agent: string; reason: string }> = [];
  const short = [...new Set(own.map((e) => e.asset))].filter((asset) => !grouped.some((g) => g[0]?.asset === asset));
  if (short.length > 0) leftOut.push({ agent: self, reason: `${short.join(', ')}: fewer than ${MIN_SHARED_ROWS} labelled samples, which no member could see` });
  for (const m of [...members].sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0))) {
    if (m.agent === self) continue;
    const reason = m.basis.configKey !== configKey ? 'another model config' : m.recipe === null ? 'no recipe yet' : m.recipe.hash !== hash ? `recipe ${m.recipe.hash.slice(0, 12)}, not this one (${hash.slice(0, 12)}): its statistics are not yet recomputed under the fleet's recipe` : null;
    if (reason !== null) {
      leftOut.push({ agent: m.agent, reason });
      continue;
    }
    for (const e of m.episodes) {
      const unit: Unit = { asset: `${m.agent}/${e.asset}`, key: e.key, start: e.start, end: e.end, rows: e.rows, incomplete: 0, own: false };
      units.push(unit);
      grams.set(unit, e.gram);
    }
    used.push({ agent: m.agent, episodes: m.episodes.length, rows: m.episodes.reduce((sum, e) => sum + e.rows, 0) });
  }
  return {
    units,
    source: { gram: (u) => grams.get(u) ?? null, sample: (u) => samples.get(u) ?? null },
    shared,
    fit: fitName(hash, units),
    members: used,
    leftOut,
  };
}

/** Groups of one asset's consecutive episodes with at least MIN_SHARED_ROWS rows each. */
function groupOwn(own: readonly OwnEpisode[]): OwnEpisode[][] {
  const byAsset = new Map<string, OwnEpisode[]>();
  for (const e of [...own].sort((a, b) => a.end - b.end)) byAsset.set(e.asset, [...(byAsset.get(e.asset) ?? []), e]);
  const out: OwnEpisode[][] = [];
  for (const episodes of byAsset.values()) {
    const groups: OwnEpisode[][] = [];
    let current: OwnEpisode[] = [];
    for (const e of episodes) {
      current.push(e);
      if (current.reduce((sum, c) => sum + c.rows, 0) >= MIN_SHARED_ROWS) {
        groups.push(current);
        current = [];
      }
    }
    if (current.length > 0 && groups.length > 0) (groups[groups.length - 1] as OwnEpisode[]).push(...current);
    out.push(...groups);
  }
  return out;
}

/** A message holds at most this many of an agent's units: the newest as they are, older ones folded. */
export const MAX_SHARED_UNITS = 120;
/** The newest units kept as they are: far more than the test and validation episodes need of one agent. */
const NEWEST_KEPT = 80;

/**
 * Bounds what an agent shares however long its history: beyond MAX_SHARED_UNITS, its older units
 * are summed into BUCKETS consecutive buckets, so a message holds at most MAX_SHARED_UNITS units.
 * With at most BUCKETS assets among the older units, each asset gets one bucket and the rest are
 * shared in proportion to its older units (largest remainder, so the counts add up to BUCKETS).
 * With more assets than that, the older units of all assets are cut in time order into BUCKETS
 * buckets, and a bucket of several assets is named MIXED. A bucket is older than the newest units,
 * so the time-ordered split, which holds out the latest episodes, still falls between whole units.
 */
function foldOldest(groups: OwnEpisode[][]): OwnEpisode[][] {
  if (groups.length <= MAX_SHARED_UNITS) return groups;
  const byEnd = [...groups].sort((a, b) => endOf(a) - endOf(b));
  const old = byEnd.slice(0, byEnd.length - NEWEST_KEPT);
  const byAsset = new Map<string, OwnEpisode[][]>();
  for (const g of old) byAsset.set((g[0] as OwnEpisode).asset, [...(byAsset.get((g[0] as OwnEpisode).asset) ?? []), g]);
  const lists = byAsset.size <= BUCKETS ? [...byAsset.values()] : [old];
  const counts = byAsset.size <= BUCKETS ? bucketCounts(lists.map((list) => list.length)) : [BUCKETS];
  const folded: OwnEpisode[][] = [];
  lists.forEach((list, i) => {
    const count = counts[i] as number;
    for (let b = 0; b < count; b++) {
      const part = list.slice(Math.floor((b * list.length) / count), Math.floor(((b + 1) * list.length) / count));
      if (part.length > 0) folded.push(part.flat());
    }
  });
  return [...folded, ...byEnd.slice(byEnd.length - NEWEST_KEPT)];
}

/** The buckets the older units are summed into. */
const BUCKETS = MAX_SHARED_UNITS - NEWEST_KEPT;

/** Buckets per asset, of `sizes` older units each: one, and the spare ones by largest remainder (ties to the earlier asset). */
function bucketCounts(sizes: readonly number[]): number[] {
  const spare = BUCKETS - sizes.length;
  const total = sizes.reduce((sum, n) => sum + n, 0);
  const quotas = sizes.map((n) => (spare * n) / total);
  const counts = quotas.map((q) => 1 + Math.floor(q));
  const left = BUCKETS - counts.reduce((sum, c) => sum + c, 0);
  const byRemainder = quotas.map((q, i) => ({ i, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder.slice(0, left)) counts[i] = (counts[i] as number) + 1;
  return counts;
}

/** The asset name of a bucket of several assets' units: "+" is a topic wildcard, so no asset has it. */
export const MIXED = '+';

const endOf = (group: readonly OwnEpisode[]): number => (group[group.length - 1] as OwnEpisode).end;

/** The group's asset, or MIXED when it holds several. */
function assetOf(group: readonly OwnEpisode[]): string {
  const first = (group[0] as OwnEpisode).asset;
  return group.every((e) => e.asset === first) ? first : MIXED;
}

function unitOf(self: string, group: readonly OwnEpisode[]): Unit {
  const last = group[group.length - 1] as OwnEpisode;
  const asset = assetOf(group);
  return {
    asset: `${self}/${asset}`,
    // A mixed bucket's key names its last episode's asset too: keys are unique within an asset only.
    key: asset === MIXED ? `${last.asset}/${last.key}` : last.key,
    start: group.reduce((min, e) => Math.min(min, e.start), Infinity),
    end: last.end,
    rows: group.reduce((sum, e) => sum + e.rows, 0),
    incomplete: group.reduce((sum, e) => sum + e.incomplete, 0),
    own: true,
  };
}

function sumGrams(grams: ReadonlyArray<Gram | null>): Gram | null {
  const present = grams.filter((g): g is Gram => g !== null);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0] as Gram;
  const total = new GramSum((present[0] as Gram).p);
  for (const g of present) total.addGram(g);
  return total.toGram();
}

/** The episodes' samples as one; a bucket of many keeps every k-th row, at most 4 × SAMPLE_ROWS. */
function joinSamples(samples: ReadonlyArray<RowSample | null>): RowSample | null {
  const present = samples.filter((s): s is RowSample => s !== null);
  if (present.length === 0) return null;
  const joined = joinAll(present);
  return present.length > 4 ? thin(joined, 4 * SAMPLE_ROWS) : joined;
}

function joinAll(present: readonly RowSample[]): RowSample {
  const p = (present[0] as RowSample).p;
  const x = new Float64Array(present.reduce((sum, s) => sum + s.x.length, 0));
  let at = 0;
  for (const s of present) {
    x.set(s.x, at);
    at += s.x.length;
  }
  return { p, index: present.flatMap((s) => s.index), ts: present.flatMap((s) => s.ts), y: present.flatMap((s) => s.y), x };
}

function thin(sample: RowSample, most: number): RowSample {
  if (sample.y.length <= most) return sample;
  const every = Math.ceil(sample.y.length / most);
  const keep = sample.y.map((_, i) => i).filter((i) => i % every === every - 1);
  const x = new Float64Array(keep.length * sample.p);
  keep.forEach((i, k) => x.set(sample.x.subarray(i * sample.p, (i + 1) * sample.p), k * sample.p));
  return { p: sample.p, index: keep.map((i) => sample.index[i] as number), ts: keep.map((i) => sample.ts[i] as number), y: keep.map((i) => sample.y[i] as number), x };
}

/** sha256 of the recipe and each unit, in time order. */
function fitName(hash: string, units: readonly Unit[]): string {
  const h = createHash('sha256').update(hash);
  const sorted = [...units].sort((a, b) => a.end - b.end || (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0) || a.start - b.start);
  for (const u of sorted) h.update(`${u.asset}\u0000${u.key}\u0000${u.start}\u0000${u.end}\u0000${u.rows}\n`);
  return h.digest('hex').slice(0, 32);
}
