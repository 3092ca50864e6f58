// An EpisodeStore in memory: for tests and the benchmark's runs without a buffer file. Same
// contract as store/episode-cache.ts, including that a new recipe drops the others' statistics.
import type { EpisodeRecord } from '../learn/episode-stats.js';
import type { EpisodeStore, StoredRecipe } from './job.js';

export function memoryEpisodeStore(): EpisodeStore {
  const recipes = new Map<string, StoredRecipe>();
  const episodes = new Map<string, Map<string, EpisodeRecord>>();
  const keyOf = (recipe: string, asset: string): string => `${recipe}\u0000${asset}`;
  const all = (recipe: string): EpisodeRecord[] =>
    [...episodes].filter(([key]) => key.startsWith(`${recipe}\u0000`)).flatMap(([, byKey]) => [...byKey.values()]);
  const find = (recipe: string, e: { asset: string; key: string }): EpisodeRecord | undefined => episodes.get(keyOf(recipe, e.asset))?.get(e.key);
  return {
    recipe: (config) => recipes.get(config) ?? null,
    putRecipe: (config, made) => {
      recipes.set(config, made);
      for (const key of [...episodes.keys()]) if (!key.startsWith(`${made.hash}\u0000`)) episodes.delete(key);
    },
    ofAsset: (recipe, asset) => new Map(episodes.get(keyOf(recipe, asset)) ?? []),
    update: (recipe, asset, records, removed) => {
      const byKey = episodes.get(keyOf(recipe, asset)) ?? new Map<string, EpisodeRecord>();
      for (const key of removed) byKey.delete(key);
      for (const r of records) byKey.set(r.key, r);
      episodes.set(keyOf(recipe, asset), byKey);
    },
    episodes: (recipe) =>
      all(recipe)
        .map(({ asset, key, start, end, rows, incomplete }) => ({ asset, key, start, end, rows, incomplete }))
        .sort((a, b) => a.end - b.end || (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : a.start - b.start)),
    gram: (recipe, e) => find(recipe, e)?.gram ?? null,
    sample: (recipe, e) => find(recipe, e)?.sample ?? null,
  };
}
