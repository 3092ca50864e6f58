// `faultline train` and `faultline models` as a technician runs them against a buffer file: exit
// codes, the verdict and the numbers they print, and the registry rows they leave.
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/db.js';
import { runCli } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { tempDir } from '../../helpers/teardown.js';
import { syntheticAssets } from '../../unit/train/synthetic.js';
import { writeBuffer } from './buffer.js';

const MODEL = { horizon: '2h', window: '10m', stride: '5m', test_fraction: 0.25, min_samples: 200 };

async function buffer(histories = syntheticAssets({ assets: 6 }), model: Record<string, unknown> = MODEL): Promise<string> {
  const dir = await tempDir('train-cli');
  writeBuffer(join(dir, 'faultline.db'), histories);
  return writeConfig(dir, { model });
}

describe('faultline train', () => {
  it('trains, prints the card and promotes the first model (exit 0); the next on the same data is rejected, still exit 0', async () => {
    const config = await buffer();
    const first = await runCli(['train', '--config', config]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^model 1 trained .* PROMOTED: it is now the champion\n {2}promoted: no champion yet/);
    expect(first.stdout).toMatch(/^ {2}challenger +[\d.]+ +[\d.]+ +0\.(8|9)\d\d +\d+ sampled$/m);
    expect(first.stdout).toMatch(/^ {2}baseline +[\d.]+/m);
    expect(first.stdout).toContain('strongest of ');

    const second = await runCli(['train', '--config', config, '--json']);
    expect(second.code).toBe(0);
    const card = JSON.parse(second.stdout);
    expect(card).toMatchObject({ version: '2', algorithm: 'ridge', promoted: false, metrics: { champion: { version: '1' } } });
    // Same data: the champion's choices refit on the same training episodes score the same.
    expect(card.metrics.champion).toMatchObject({ method: 'refit', episodes: card.episodes.test });
    expect(card.metrics.champion.rmse).toBe(card.metrics.champion.challenger_rmse_same_samples);
    expect(second.stderr).toMatch(/^faultline train: model 2 rejected \(kept, marked rejected\); rejected: test RMSE [\d.]+ s is not below champion 1's [\d.]+ s on the \d+ test episodes, champion 1's choices refit on this model's training episodes\n$/);

    const status = await runCli(['status', '--json', '--config', config]);
    expect(JSON.parse(status.stdout).model).toMatchObject({ version: '1', rmse: expect.any(Number) });
  });

  it('exits 3 and says how many labelled samples it has and needs', async () => {
    const config = await buffer(syntheticAssets({ assets: 2, faultsPerAsset: 1 }), { ...MODEL, min_samples: 5000 });
    const result = await runCli(['train', '--config', config]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^faultline train: not enough labelled data: has \d+ labelled samples from \d+ episodes, needs model.min_samples = 5000 and at least 2 episodes\n$/);
    const models = await runCli(['models', '--json', '--config', config]);
    expect(JSON.parse(models.stdout)).toEqual([]);
    // `faultline status` then says why there is no model.
    const status = await runCli(['status', '--config', config]);
    expect(status.stdout).toMatch(/^model +none yet: no predictions until a model is trained/m);
    expect(status.stdout).toMatch(/^last training +\S+ \(cli\): has \d+ labelled samples from \d+ episodes, needs model\.min_samples = 5000/m);
    expect(JSON.parse((await runCli(['status', '--json', '--config', config])).stdout).last_training).toMatchObject({ reason: 'cli', status: 'not_enough_data' });
  });

  it('exits 3 when there is no buffer yet, and does not create one', async () => {
    const dir = await tempDir('train-cli');
    const result = await runCli(['train', '--config', writeConfig(dir, { model: MODEL })]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`there is no buffer at ${join(dir, 'faultline.db')} yet: has 0 labelled samples from 0 episodes, needs model.min_samples = 200`);
    const status = await runCli(['status', '--json', '--config', join(dir, 'faultline.yaml')]);
    expect(JSON.parse(status.stdout)).toMatchObject({ db_bytes: 0, model: null });
  });

  it('exits 1 when training fails, and says the champion stays', async () => {
    const config = await buffer();
    expect((await runCli(['train', '--config', config])).code).toBe(0);
    // The cached statistics of one episode damaged on disk: a retrain cannot sum them.
    const db = openDatabase(join(dirname(config), 'faultline.db'), { sync: 'normal' });
    db.prepare("UPDATE episode_stats SET gram = x'00' WHERE rowid = (SELECT min(rowid) FROM episode_stats WHERE gram IS NOT NULL)").run();
    db.close();
    const result = await runCli(['train', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/\nfaultline train: training failed: Error: the cached statistics of an episode are damaged \(truncated: .*\); .*; the champion stays\n$/);
    const status = await runCli(['status', '--json', '--config', config]);
    expect(JSON.parse(status.stdout).model).toMatchObject({ version: '1' });
  });
});

describe('faultline models', () => {
  it('lists the versions, switches the champion with "use", and refuses unknown or rejected versions', async () => {
    const config = await buffer();
    expect((await runCli(['train', '--config', config])).code).toBe(0);
    expect((await runCli(['train', '--config', config])).code).toBe(0);

    const listed = await runCli(['models', '--config', config]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^version +status +trained +n_train +test RMSE s +champion RMSE s +lambda$/);
    expect(lines[1]).toMatch(/^1 +champion +\d{4}-\d\d-\d\dT[\d:.]+Z +\d+ +[\d.]+ +- +[\d.]+$/);
    expect(lines[2]).toMatch(/^2 +rejected +.* \(v1\) +[\d.]+$/);

    const refused = await runCli(['models', 'use', '2', '--config', config]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('model 2 was rejected by its promotion gate');
    expect(refused.stderr).toContain('pass --force to serve it anyway');

    const forced = await runCli(['models', 'use', '2', '--force', '--config', config]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^model 2 is now the champion \(test RMSE [\d.]+ s when trained\); model 1 is now retired\n$/);
    expect(forced.stderr).toContain('warning: model 2 was rejected at training');

    const back = await runCli(['models', 'use', '1', '--config', config]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('model 1 is now the champion');
    const json = JSON.parse((await runCli(['models', '--json', '--config', config])).stdout);
    expect(json.map((m: { version: string; status: string }) => [m.version, m.status])).toEqual([['1', 'champion'], ['2', 'retired']]);

    const unknown = await runCli(['models', 'use', '42', '--config', config]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('faultline models: there is no model version 42; "faultline models" lists them\n');
    expect((await runCli(['models', 'frob', '--config', config])).code).toBe(64);
  });
});
