// The cache of per-episode statistics, per feature recipe, and the recipes themselves: what lets a
// retrain compute only the episodes that are new or still open. Knows tables and blobs, not training.
import type { Gram } from '../learn/gram.js';
import { packGram, unpackGram } from '../learn/gram-codec.js';
import type { EpisodeRecord, EpisodeSums, ResumePoint, RowSample } from '../learn/episode-stats.js';
import type { RecipeBasis } from '../fleet/types.js';
import type { Recipe } from '../learn/recipe.js';
import type { Db, Statement } from './db.js';

/** An episode without its statistics: what the split and the gate look at first. */
export interface EpisodeMeta {
  readonly asset: string;
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly faultTs: number | null;
  readonly rows: number;
  readonly incomplete: number;
}

export interface StoredRecipe {
  readonly hash: string;
  readonly recipe: Recipe;
  readonly madeAt: number;
  /** This gateway's basis when the recipe was made. */
  readonly basis: RecipeBasis;
}

interface Row {
  asset: string;
  key: string;
  start: number;
  end: number;
  fault_ts: number | null;
  rows: number;
  incomplete: number;
  gram: Buffer | null;
  sample: Buffer;
  resume: string | null;
}

type MetaRow = Omit<Row, 'gram' | 'sample'>;

export class EpisodeCache {
  private readonly st: {
    recipe: Statement<[string]>;
    putRecipe: Statement<[string, string, string, number, string]>;
    ofAsset: Statement<[string, string]>;
    sums: Statement<[string, string, string]>;
    put: Statement<unknown[]>;
    remove: Statement<[string, string, string]>;
    meta: Statement<[string]>;
    gram: Statement<[string, string, string]>;
    sample: Statement<[string, string, string]>;
    prune: Statement<[string]>;
  };

  constructor(private readonly db: Db) {
    this.st = {
      recipe: db.prepare<[string]>('SELECT hash, recipe, made_at, basis FROM recipes WHERE config = ? ORDER BY made_at DESC LIMIT 1'),
      putRecipe: db.prepare<[string, string, string, number, string]>('INSERT OR REPLACE INTO recipes (hash, config, recipe, made_at, basis) VALUES (?, ?, ?, ?, ?)'),
      ofAsset: db.prepare<[string, string]>('SELECT asset, key, start, end, fault_ts, rows, incomplete, resume FROM episode_stats WHERE recipe = ? AND asset = ?'),
      sums: db.prepare<[string, string, string]>('SELECT gram, sample FROM episode_stats WHERE recipe = ? AND asset = ? AND key = ?'),
      put: db.prepare(
        'INSERT OR REPLACE INTO episode_stats (recipe, asset, key, start, end, fault_ts, rows, incomplete, gram, sample, resume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      remove: db.prepare<[string, string, string]>('DELETE FROM episode_stats WHERE recipe = ? AND asset = ? AND key = ?'),
      meta: db.prepare<[string]>('SELECT asset, key, start, end, fault_ts, rows, incomplete FROM episode_stats WHERE recipe = ? ORDER BY end, asset, start'),
      gram: db.prepare<[string, string, string]>('SELECT gram FROM episode_stats WHERE recipe = ? AND asset = ? AND key = ?').pluck(),
      sample: db.prepare<[string, string, string]>('SELECT sample FROM episode_stats WHERE recipe = ? AND asset = ? AND key = ?').pluck(),
      prune: db.prepare<[string]>('DELETE FROM episode_stats WHERE recipe <> ?'),
    };
  }

  /** The latest recipe made from this config (the key of config-derived choices), or null. */
  recipe(config: string): StoredRecipe | null {
    const row = this.st.recipe.get(config) as { hash: string; recipe: string; made_at: number; basis: string } | undefined;
    return row ? { hash: row.hash, recipe: JSON.parse(row.recipe) as Recipe, madeAt: row.made_at, basis: JSON.parse(row.basis) as RecipeBasis } : null;
  }

  /** Stores a new recipe and drops the statistics of every other one: they can never be summed again. */
  putRecipe(config: string, stored: StoredRecipe): void {
    this.db.transaction(() => {
      this.st.putRecipe.run(stored.hash, config, JSON.stringify(stored.recipe), stored.madeAt, JSON.stringify(stored.basis));
      this.st.prune.run(stored.hash);
    })();
  }

  /**
   * The asset's cached episodes under `recipe`, by key. Each one's Gram and row sample are read and
   * decoded when first used: a retrain continues at most the open tail of an asset, and decoding
   * every blob of a long history cost tens of MB it never used.
   */
  ofAsset(recipe: string, asset: string): Map<string, EpisodeRecord> {
    const rows = this.st.ofAsset.all(recipe, asset) as MetaRow[];
    return new Map(rows.map((r) => [r.key, lazyRecord(r, () => this.sums(recipe, r))]));
  }

  private sums(recipe: string, r: MetaRow): EpisodeSums {
    const blobs = this.st.sums.get(recipe, r.asset, r.key) as Pick<Row, 'gram' | 'sample'> | undefined;
    if (!blobs) throw new Error(`the cached statistics of episode ${r.key} of ${r.asset} were deleted while a retrain used them`);
    return { rows: r.rows, incomplete: r.incomplete, gram: blobs.gram ? gramOfBlob(blobs.gram) : null, sample: unpackSample(blobs.sample) };
  }

  /** Stores an asset's new and changed episodes and deletes what was replaced, in one transaction. */
  update(recipe: string, asset: string, records: readonly EpisodeRecord[], removed: readonly string[]): void {
    this.db.transaction(() => {
      for (const key of removed) this.st.remove.run(recipe, asset, key);
      for (const r of records) {
        this.st.put.run(recipe, asset, r.key, r.start, r.end, r.faultTs, r.rows, r.incomplete, r.gram ? packGram(r.gram) : null, packSample(r.sample), r.resume ? JSON.stringify(r.resume) : null);
      }
    })();
  }

  /** Every cached episode of the recipe, in time order, without statistics. */
  episodes(recipe: string): EpisodeMeta[] {
    return (this.st.meta.all(recipe) as Row[]).map((r) => ({ asset: r.asset, key: r.key, start: r.start, end: r.end, faultTs: r.fault_ts, rows: r.rows, incomplete: r.incomplete }));
  }

  gram(recipe: string, episode: Pick<EpisodeMeta, 'asset' | 'key'>): Gram | null {
    const blob = this.st.gram.get(recipe, episode.asset, episode.key) as Buffer | null | undefined;
    return blob ? gramOfBlob(blob) : null;
  }

  sample(recipe: string, episode: Pick<EpisodeMeta, 'asset' | 'key'>): RowSample | null {
    const blob = this.st.sample.get(recipe, episode.asset, episode.key) as Buffer | undefined;
    return blob ? unpackSample(blob) : null;
  }
}

/** A Gram this agent wrote itself; a blob it cannot read is a damaged cache, not input to dead-letter. */
function gramOfBlob(blob: Buffer): Gram {
  // The width is in the header; a blob too short to hold one is reported as truncated by unpackGram.
  const p = blob.length >= 8 ? new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(4, true) : 0;
  const unpacked = unpackGram(blob, p);
  if ('reason' in unpacked) throw new Error(`the cached statistics of an episode are damaged (${unpacked.reason}: ${unpacked.detail}); delete them with: DELETE FROM episode_stats`);
  return unpacked.gram;
}

/** A record whose Gram and sample come from `load`, called once, when either is first read. */
function lazyRecord(r: MetaRow, load: () => EpisodeSums): EpisodeRecord {
  let sums: EpisodeSums | undefined;
  const loaded = (): EpisodeSums => (sums ??= load());
  return {
    asset: r.asset,
    key: r.key,
    start: r.start,
    end: r.end,
    faultTs: r.fault_ts,
    rows: r.rows,
    incomplete: r.incomplete,
    get gram() {
      return loaded().gram;
    },
    get sample() {
      return loaded().sample;
    },
    resume: r.resume === null ? null : (JSON.parse(r.resume) as ResumePoint),
  };
}

/** p and the row count, then places, times and labels, then the rows: all float64. */
function packSample(s: RowSample): Buffer {
  const m = s.index.length;
  const head = new Float64Array(2 + 3 * m);
  head.set([s.p, m]);
  head.set(s.index, 2);
  head.set(s.ts, 2 + m);
  head.set(s.y, 2 + 2 * m);
  return Buffer.concat([Buffer.from(head.buffer), Buffer.from(s.x.buffer, s.x.byteOffset, s.x.byteLength)]);
}

function unpackSample(blob: Buffer): RowSample {
  const copy = blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength);
  const p = new Float64Array(copy, 0, 2)[0] as number;
  const m = new Float64Array(copy, 0, 2)[1] as number;
  const head = new Float64Array(copy, 0, 2 + 3 * m);
  return {
    p,
    index: Array.from(head.subarray(2, 2 + m)),
    ts: Array.from(head.subarray(2 + m, 2 + 2 * m)),
    y: Array.from(head.subarray(2 + 2 * m, 2 + 3 * m)),
    x: new Float64Array(copy, (2 + 3 * m) * 8, m * p),
  };
}
