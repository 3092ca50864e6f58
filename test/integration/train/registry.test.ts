// The model registry in a real buffer: versions, one champion at a time, rejected models kept,
// roll back and forward, and `faultline status` reading the champion's card.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServingModel } from '../../../src/learn/model.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { ModelRegistry, RejectedModelError, UnknownModelError, type CardJson } from '../../../src/store/models.js';
import { readStatus } from '../../../src/store/status.js';
import { handModel } from '../../helpers/model.js';
import { tempDir } from '../../helpers/teardown.js';

interface Card extends CardJson {
  metrics: { challenger: { rmse: number } };
}

const params: ServingModel = { ...handModel(), version: '', trainedAt: 1, rmse: 812.5 };

async function registry(): Promise<{ db: Db; models: ModelRegistry }> {
  const db = openDatabase(join(await tempDir('registry'), 'faultline.db'), { sync: 'normal' });
  return { db, models: new ModelRegistry(db) };
}

const add = (models: ModelRegistry, rmse: number, promote: boolean, trainedAt = 1_764_320_000_000) =>
  models.insert<Card>({ trainedAt, dataHash: `sha256:${rmse}`, card: { version: null, metrics: { challenger: { rmse } } }, params, promote });

describe('ModelRegistry', () => {
  it('numbers models 1, 2, 3 and writes the version into the card and the serving parameters', async () => {
    const { db, models } = await registry();
    try {
      const first = add(models, 900, true);
      expect(first).toMatchObject({ version: '1', status: 'champion', dataHash: 'sha256:900' });
      expect(first.card.version).toBe('1');
      expect(first.params.version).toBe('1');
      expect(models.get('1')).toEqual(first);
      expect(add(models, 950, false).version).toBe('2');
      expect(add(models, 850, true).version).toBe('3');
    } finally {
      db.close();
    }
  });

  it('keeps one champion: promoting retires the previous one; a rejected model stays rejected', async () => {
    const { db, models } = await registry();
    try {
      add(models, 900, true);
      add(models, 950, false);
      add(models, 850, true);
      expect(models.list().map((m) => [m.version, m.status])).toEqual([['1', 'retired'], ['2', 'rejected'], ['3', 'champion']]);
      expect(models.champion()?.version).toBe('3');
      expect(readStatus(db).model).toEqual({ version: '3', rmse: 850, trained_at: '2025-11-28T08:53:20.000Z' });
    } finally {
      db.close();
    }
  });

  it('rolls back and forward with use(); the replaced champion becomes retired', async () => {
    const { db, models } = await registry();
    try {
      add(models, 900, true);
      add(models, 850, true);
      expect(models.use('1')).toMatchObject({ previous: '2', model: { version: '1', status: 'champion' } });
      expect(models.list().map((m) => m.status)).toEqual(['champion', 'retired']);
      expect(models.use('2').previous).toBe('1');
      expect(models.use('2')).toMatchObject({ previous: '2', model: { status: 'champion' } });
      expect(models.list().map((m) => m.status)).toEqual(['retired', 'champion']);
    } finally {
      db.close();
    }
  });

  it('serves a rejected model only when forced, and knows no other versions', async () => {
    const { db, models } = await registry();
    try {
      add(models, 900, true);
      add(models, 950, false);
      expect(() => models.use('2')).toThrow(RejectedModelError);
      expect(() => models.use('2')).toThrow('model 2 was rejected by its promotion gate');
      expect(models.champion()?.version).toBe('1');
      expect(models.use('2', { force: true }).model.status).toBe('champion');
      expect(models.list().map((m) => m.status)).toEqual(['retired', 'champion']);
      for (const v of ['3', '0', '01', 'x', '', '-1', '1.5']) {
        expect(() => models.use(v)).toThrow(UnknownModelError);
        expect(models.get(v)).toBeNull();
      }
    } finally {
      db.close();
    }
  });

  it('has no champion before the first promotion', async () => {
    const { db, models } = await registry();
    try {
      expect(models.champion()).toBeNull();
      add(models, 900, false);
      expect(models.champion()).toBeNull();
      expect(readStatus(db).model).toBeNull();
    } finally {
      db.close();
    }
  });
});
