// The episode cache in a real buffer file: what a retrain stores comes back the same, and listing an
// asset's episodes reads no episode's Gram or row sample until one is used (the open tail it continues).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPEN } from '../../../src/learn/episode-stats.js';
import { testRecipe } from '../../helpers/recipe-rows.js';
import { openDatabase } from '../../../src/store/db.js';
import { EpisodeCache } from '../../../src/store/episode-cache.js';
import { assetPass } from '../../../src/train/asset-pass.js';
import { memorySource } from '../../../src/train/source.js';
import { tempDir } from '../../helpers/teardown.js';
import { H_S, MIN, syntheticAssets } from '../../unit/train/synthetic.js';

describe('EpisodeCache.ofAsset', () => {
  it('lists the episodes without decoding their statistics, and decodes one when it is used', async () => {
    const [history] = syntheticAssets({ assets: 1, faultsPerAsset: 3 });
    const recipe = testRecipe({ sensors: ['temp', 'vib'], windowMs: 10 * MIN, strideMs: 5 * MIN, horizonS: H_S });
    const source = memorySource([history!]);
    const [asset] = source.assets();
    const { records } = assetPass(recipe, null, {
      asset: history!.asset,
      faults: source.faults(asset!),
      lastDataTs: source.newest(asset!, recipe.sensors),
      cached: new Map(),
      read: (from, to) => source.events(asset!, recipe.sensors, from, to),
    });
    const open = records.find((r) => r.key === OPEN);
    const closed = records.find((r) => r.key !== OPEN);
    expect(open?.gram).toBeTruthy();
    expect(closed).toBeDefined();

    const db = openDatabase(join(await tempDir('episode-cache'), 'faultline.db'), { sync: 'normal' });
    try {
      const cache = new EpisodeCache(db);
      cache.update('r1', history!.asset, records, []);
      // A closed episode's Gram damaged on disk: reading it throws, so listing must not read it.
      db.prepare('UPDATE episode_stats SET gram = ? WHERE key = ?').run(Buffer.from([1, 2, 3]), closed!.key);
      const cached = cache.ofAsset('r1', history!.asset);
      expect([...cached.keys()].sort()).toEqual(records.map((r) => r.key).sort());
      const back = cached.get(OPEN)!;
      expect(back.resume).toEqual(open!.resume);
      expect(back.rows).toBe(open!.rows);
      expect(Array.from(back.gram!.sxx)).toEqual(Array.from(open!.gram!.sxx));
      expect(back.sample.y).toEqual(open!.sample.y);
      expect(() => cached.get(closed!.key)!.gram).toThrow(/cached statistics of an episode are damaged/);
    } finally {
      db.close();
    }
  });
});
