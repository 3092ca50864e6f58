// A new champion's live windows are seeded from a real buffer a few assets per turn of the event
// loop, while ingest goes on. Once it serves, its windows hold what a load in one go would hold:
// the readings and faults that arrived meanwhile, and assets first heard of meanwhile.
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/log.js';
import { PredictionService } from '../../../src/predict/service.js';
import { openDatabase } from '../../../src/store/db.js';
import { BatchWriter, type Batch, type FaultRow, type ReadingRow } from '../../../src/store/ingest-batch.js';
import { ModelRegistry, type StoredModel } from '../../../src/store/models.js';
import { handModel } from '../../helpers/model.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitForEvent } from '../../helpers/wait.js';
import { errorMessage } from '../../../src/error-message.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 1);
const ASSETS = Array.from({ length: 30 }, (_, i) => `press${i}`);
const LATE = 'press99'; // first heard of while the new model loads

const reading = (asset: string, minute: number): ReadingRow => ({
  asset,
  line: 'line1',
  sensor: 'temperature',
  ts: T0 + minute * MIN,
  value: 60 + ((asset.length * 31 + Number(asset.slice(5)) * 7 + minute * 17) % 25),
});
const batchOf = (readings: ReadingRow[], faults: FaultRow[] = []): Batch => ({ readings, faults, deadLetters: [] });

async function setup() {
  const path = join(await tempDir('service'), 'faultline.db');
  const db = openDatabase(path, { sync: 'normal' });
  const { config } = parseConfig('agent: {id: service}\nmqtt: {url: "mqtt://127.0.0.1:1883"}\n', 'service.yaml', {});
  const registry = new ModelRegistry(db);
  const services: PredictionService[] = [];
  const service = (seedBudgetMs?: number): PredictionService => {
    const s = new PredictionService({ predictions: config.predictions, log: createLogger('fatal'), db, registry, ...(seedBudgetMs !== undefined ? { seedBudgetMs } : {}) });
    services.push(s);
    return s;
  };
  onCleanup(() => {
    for (const s of services) s.stop();
    db.close();
  });
  return { db, writer: new BatchWriter(db, 100), registry, service };
}

/** What the service would predict for the asset from its windows now, or why it cannot. */
function outcome(service: PredictionService, asset: string): unknown {
  try {
    return service.predictBuffered(asset);
  } catch (error) {
    return `refused: ${errorMessage(error)}`;
  }
}

it('serves a new champion once every asset is seeded, with what was ingested meanwhile', async () => {
  const { writer, registry, service } = await setup();
  writer.writeBatch(batchOf(ASSETS.flatMap((a) => Array.from({ length: 20 }, (_, m) => reading(a, m)))));
  const live = service(0); // one asset per turn: the load spans many turns
  live.start();
  expect(live.champion).toBeNull();

  registry.insert({ trainedAt: T0, dataHash: 'sha256:test', card: { version: null }, params: handModel(), promote: true });
  const served = waitForEvent<[StoredModel]>(live, 'model', 10_000);
  live.checkChampion();
  expect(live.champion, 'the model serves only once its windows are seeded').toBeNull();

  // Ingest goes on: each turn commits a batch and hands it to the service, as the pipeline does.
  let minute = 20;
  let turns = 0;
  while (live.champion === null) {
    if (turns > 1000) throw new Error('the new model never started serving');
    // A fault on an asset seeded early, late enough that its next window is not full at the end.
    const faults = minute === 20 + ASSETS.length - 6 ? [{ asset: 'press3', line: 'line1', ts: T0 + minute * MIN, fields: {} }] : [];
    const batch = batchOf([...ASSETS, LATE].map((a) => reading(a, minute)), faults);
    writer.writeBatch(batch);
    live.onBatch(batch);
    minute++;
    turns++;
    await nextTurn();
  }
  expect((await served)[0].version).toBe(live.champion.version);
  expect(turns).toBeGreaterThanOrEqual(ASSETS.length - 1);

  // A service that loads the same buffer in one go, after the fact.
  const reference = service();
  reference.start();
  for (const asset of [...ASSETS, LATE]) expect(outcome(live, asset), asset).toEqual(outcome(reference, asset));
  // The comparison has teeth: predictions at the newest reading, and one asset refused (its fault).
  expect((outcome(live, 'press0') as { prediction: { ts: number } }).prediction.ts).toBe(T0 + (minute - 1) * MIN);
  expect(outcome(live, LATE)).toHaveProperty('prediction');
  expect(outcome(live, 'press3')).toMatch(/^refused: the window is not full/);
});

it('loads a champion already in the buffer at start, in one go', async () => {
  const { writer, registry, service } = await setup();
  writer.writeBatch(batchOf(ASSETS.flatMap((a) => Array.from({ length: 20 }, (_, m) => reading(a, m)))));
  registry.insert({ trainedAt: T0, dataHash: 'sha256:test', card: { version: null }, params: handModel(), promote: true });
  const live = service(0);
  live.start();
  expect(live.champion?.version).toBe('1');
  expect(outcome(live, 'press7')).toHaveProperty('prediction.ts', T0 + 19 * MIN);
});
