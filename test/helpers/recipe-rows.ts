// Every training row of a recipe by a plain walk through the readings, for tests that check the
// training job against rows: a fresh stream per episode, a sample every stride, labels as labels.ts.
import { OPEN } from '../../src/learn/episode-stats.js';
import { FeatureStream } from '../../src/learn/feature-stream.js';
import { normalizerOf } from '../../src/learn/normalizer.js';
import { halfLivesOf, type Recipe } from '../../src/learn/recipe.js';
import type { AssetHistory } from '../../src/learn/types.js';
import { memorySource } from '../../src/train/source.js';

export interface EpisodeRows {
  readonly asset: string;
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly X: number[][];
  readonly y: number[];
  readonly ts: number[];
}

export function recipeRows(h: AssetHistory, r: Recipe): EpisodeRows[] {
  const out: EpisodeRows[] = [];
  const names = [...r.sensors, ...r.conditions];
  const events = [...memorySource([h]).events({ name: h.asset }, names, -Infinity, Infinity)];
  const last = events[events.length - 1]?.[0] ?? -Infinity;
  let previous = -Infinity;
  for (const end of [...new Set(h.faults)].sort((a, b) => a - b).concat(NaN)) {
    const open = Number.isNaN(end);
    const stop = open ? last - r.horizonS * 1000 : end;
    const stream = new FeatureStream(r, normalizerOf(r));
    const rows = { X: [] as number[][], y: [] as number[], ts: [] as number[] };
    let next = -Infinity;
    let lastSeen = -Infinity;
    for (const [ts, readings] of events) {
      if (ts <= previous || ts > stop) continue;
      stream.push(ts, readings);
      lastSeen = ts;
      if (ts < next || (r.requireFullWindow && ts < stream.episodeStart + r.windowMs)) continue;
      const x = new Float64Array(stream.width);
      stream.row(ts, x);
      next = ts + r.strideMs;
      if (x.some(Number.isNaN)) continue;
      rows.X.push(Array.from(x));
      rows.y.push(open ? r.horizonS : Math.min((end - ts) / 1000, r.horizonS));
      rows.ts.push(ts);
    }
    if (rows.y.length > 0) out.push({ asset: h.asset, key: open ? OPEN : String(end), start: stream.episodeStart, end: open ? lastSeen : end, ...rows });
    if (!open) previous = end;
  }
  return out;
}

/** A default-kinds recipe with ewma half-lives from `windowMs`, without regimes; `overrides` last. */
export function testRecipe(base: Pick<Recipe, 'sensors' | 'windowMs' | 'strideMs' | 'horizonS'>, overrides: Partial<Recipe> = {}): Recipe {
  return {
    version: 2,
    conditions: [],
    kinds: ['ewma', 'baseline', 'age', 'squares'],
    halfLivesMs: halfLivesOf(base.windowMs),
    staleMs: 3 * base.windowMs,
    maxGapMs: base.windowMs / 2,
    requireFullWindow: false,
    regimes: null,
    ...base,
    ...overrides,
  };
}
