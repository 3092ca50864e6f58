// The trainer end to end: the job in a real child process on a real buffer file, the registry row
// written by the main thread, runs that never overlap, and failures that leave the champion serving.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/log.js';
import { FeatureStream } from '../../../src/learn/feature-stream.js';
import { predictAt } from '../../../src/learn/model.js';
import { memorySource } from '../../../src/train/source.js';
import { openDatabase } from '../../../src/store/db.js';
import { ModelRegistry } from '../../../src/store/models.js';
import type { ModelConfig } from '../../../src/train/job.js';
import { Trainer, type TrainResult } from '../../../src/train/trainer.js';
import { BUILT_WORKER_URL } from '../../helpers/built.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { withDeadline } from '../../helpers/wait.js';
import { modelConfig, syntheticAssets } from '../../unit/train/synthetic.js';
import { writeBuffer } from './buffer.js';

const histories = syntheticAssets({ assets: 6 });
const worker = (name: string): URL => new URL(`./workers/${name}.mjs`, import.meta.url);

interface Setup {
  path: string;
  registry: ModelRegistry;
  logs: Array<{ level: string; msg: string; [key: string]: unknown }>;
  trainer: (options?: { model?: ModelConfig; workerUrl?: URL }) => Trainer;
  count: () => number;
}

async function setup(data = histories): Promise<Setup> {
  const path = join(await tempDir('trainer'), 'faultline.db');
  writeBuffer(path, data);
  const db = openDatabase(path, { sync: 'normal' });
  onCleanup(() => {
    db.close();
  });
  const logs: Setup['logs'] = [];
  const log: Logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
  const registry = new ModelRegistry(db);
  return {
    path,
    registry,
    logs,
    trainer: (options = {}) => new Trainer({ dbPath: path, registry, log, model: options.model ?? modelConfig(), workerUrl: options.workerUrl ?? BUILT_WORKER_URL }),
    count: () => registry.list().length,
  };
}

function trained(result: TrainResult): Extract<TrainResult, { status: 'trained' }> {
  if (result.status !== 'trained') throw new Error(`expected a trained model, got ${JSON.stringify(result)}`);
  return result;
}

describe('Trainer', () => {
  it('trains in its own process from the buffer, predicts the held-out episodes with R² > 0.8, and stores the champion', async () => {
    const s = await setup();
    const result = trained(await s.trainer().run('command'));
    expect(result).toMatchObject({ reason: 'command', promoted: true, version: '1' });
    expect(result.card.metrics.challenger.r2).toBeGreaterThan(0.8);
    expect(result.card.metrics.challenger.rmse).toBeLessThan(0.5 * (result.card.metrics.baseline.rmse as number));
    const champion = s.registry.champion();
    expect(champion?.version).toBe('1');
    expect(champion?.card).toEqual(result.card);
    expect(champion?.params).toEqual(result.model);
    // The stored parameters serve: a prediction right before a known fault is near zero.
    const press = histories[0]!;
    const fault = press.faults[1]!;
    const stream = new FeatureStream(champion!.params.recipe);
    for (const [ts, readings] of memorySource([press]).events({ name: press.asset }, champion!.params.recipe.sensors, press.faults[0]!, fault)) stream.push(ts, readings);
    const atFault = predictAt(champion!.params, stream, fault, 3);
    expect('prediction' in atFault && atFault.prediction.timeToFaultS).toBeLessThan(1200);
    expect(s.logs.find((l) => l.msg === 'retrain finished; model promoted')).toMatchObject({ level: 'info', version: '1', promoted: true });
    // The training process's own memory (a Node process is tens of MB), logged with the result.
    expect(result.peakRssMb).toBeGreaterThan(20);
    expect(s.logs.find((l) => l.msg === 'retrain finished; model promoted')?.['peak_rss_mb']).toBe(result.peakRssMb);
  });

  it('never overlaps: a second run while one is in progress joins it, and one model is stored', async () => {
    const s = await setup();
    const trainer = s.trainer();
    const first = trainer.run('schedule');
    const second = trainer.run('command');
    expect(second).toBe(first);
    expect(trainer.running).toBe(true);
    const [a, b] = await Promise.all([first, second]);
    expect(b).toBe(a);
    expect(trained(a).version).toBe('1');
    expect(s.count()).toBe(1);
    expect(trainer.running).toBe(false);
    expect(s.logs.some((l) => l.msg === 'retrain already running; joining it' && l.reason === 'command')).toBe(true);
    // Once finished, the next run is a new one: same data, so the refit champion keeps its place.
    const next = trained(await trainer.run('command'));
    expect(next).toMatchObject({ version: '2', promoted: false });
    expect(s.registry.list().map((m) => m.status)).toEqual(['champion', 'rejected']);
  });

  it('reports a job that throws in the worker as failed and leaves the champion in place', async () => {
    const s = await setup();
    trained(await s.trainer().run('command'));
    // An impossible test fraction makes the real job throw inside the real worker.
    const bad = await s.trainer({ model: { ...modelConfig(), test_fraction: 1.5 } }).run('schedule');
    expect(bad).toMatchObject({ status: 'failed', reason: 'schedule' });
    expect(bad.status === 'failed' && bad.message).toContain('RangeError: test fraction must be in (0, 1), got 1.5');
    expect(s.registry.champion()?.version).toBe('1');
    expect(s.count()).toBe(1);
    expect(s.logs.find((l) => l.msg === 'retrain failed; the champion stays')).toMatchObject({ level: 'error', reason: 'schedule' });
  });

  it.each([
    ['throws while loading', 'throws', 'the training process exited with code 1 before replying: Error: synthetic failure in the training job'],
    ['exits without a reply', 'exits', 'the training process exited with code 3 before replying'],
    ['is killed (as by the OOM killer)', 'killed', 'the training process exited with SIGKILL before replying'],
  ])('reports a training process that %s as failed, and keeps the champion', async (_what, file, message) => {
    const s = await setup();
    trained(await s.trainer().run('command'));
    const result = await s.trainer({ workerUrl: worker(file) }).run('command');
    expect(result).toMatchObject({ status: 'failed', message });
    expect(s.registry.champion()?.version).toBe('1');
    expect(s.count()).toBe(1);
  });

  it('says how much labelled data it has and needs when there is too little, and stores nothing', async () => {
    const s = await setup(syntheticAssets({ assets: 2, faultsPerAsset: 1 }));
    const result = await s.trainer({ model: modelConfig({ min_samples: 5000 }) }).run('cli');
    expect(result).toMatchObject({ status: 'not_enough_data', minSamples: 5000 });
    expect(result.status === 'not_enough_data' && result.message).toMatch(/^has \d+ labelled samples from \d+ episodes, needs model.min_samples = 5000 and at least 2 episodes$/);
    expect(s.count()).toBe(0);
  });

  it('keeps the new model rejected when the champion was switched while it trained', async () => {
    const s = await setup();
    const first = trained(await s.trainer().run('command'));
    // A poor champion (always the horizon) that any challenger beats...
    const poorRidge = { ...first.model.ridge, featureNames: [], mean: [], std: [], coefStd: [], coef: [], intercept: 7200, interceptStd: 7200 };
    s.registry.insert({ trainedAt: 1, dataHash: 'sha256:poor', card: { ...first.card, version: null }, params: { ...first.model, ridge: poorRidge }, promote: true });
    const run = s.trainer().run('command');
    // ...but a technician rolls back to model 1 while the run is in its process.
    s.registry.use('1');
    const result = trained(await run);
    expect(result).toMatchObject({ version: '3', promoted: false });
    expect(result.card.promotion).toBe('rejected: the champion changed from 2 to 1 during training; retrain to compare against it');
    expect(s.registry.list().map((m) => m.status)).toEqual(['champion', 'retired', 'rejected']);
  });

  it('stop() ends a running retrain as failed, storing nothing', async () => {
    const s = await setup();
    const trainer = s.trainer({ workerUrl: worker('hangs') });
    const run = trainer.run('schedule');
    await withDeadline(trainer.stop(), 5000, 'trainer.stop()');
    expect(await run).toMatchObject({ status: 'failed', message: 'stopped before it finished (the agent is shutting down)' });
    expect(trainer.running).toBe(false);
    expect(s.count()).toBe(0);
  });
});
