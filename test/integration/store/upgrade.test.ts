// An upgrade keeps the buffer: a file written by the previous release (test/fixtures/buffer/) is
// migrated in place with every row found, and a migration that fails leaves the file byte for byte.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, StoreError } from '../../../src/store/db.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { REPO, runCli } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { tempDir } from '../../helpers/teardown.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/buffer/release-0.1.0.db', import.meta.url));
const BUFFER_SCRIPT = fileURLToPath(new URL('../../fixtures/buffer/buffer.mjs', import.meta.url));
const RELEASE_SCHEMA = 1;
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function copyOfRelease(): Promise<{ dir: string; file: string }> {
  const dir = await tempDir('upgrade');
  const file = join(dir, 'faultline.db');
  copyFileSync(FIXTURE, file);
  return { dir, file };
}

describe('a buffer written by release 0.1.0', () => {
  it('is at the schema that release wrote', () => {
    const db = new Database(FIXTURE, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(RELEASE_SCHEMA);
    db.close();
  });

  it('opens at the latest schema with every row: readings, faults, dead letters, models, outbox, meta, counters', async () => {
    const { dir, file } = await copyOfRelease();
    // The same check the package upgrade runs (packaging/ci-check.sh), through this build's dist/.
    const check = await promisify(execFile)(process.execPath, [BUFFER_SCRIPT, 'check', join(REPO, 'dist'), file]);
    expect(check.stdout).toMatch(/^found every row in .*: 20 readings, 2 faults, 2 dead letters, 3 models, 3 outbox messages/);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const status = await runCli(['status', '--json', '--config', writeConfig(dir)]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ readings: 20, faults: 2, assets: 3, dead_letters: 2, outbox: 3, model: { version: '2' } });
  });

  it('is left byte for byte when a migration step fails, and the error says so', async () => {
    const { file } = await copyOfRelease();
    const before = sha256(file);
    // Step 2 works; step 3 is a classic mistake (a NOT NULL column without a default). Step 2 must go too.
    const migrations = [
      ...MIGRATIONS,
      'CREATE TABLE step_two (x INTEGER); INSERT INTO step_two VALUES (1);',
      'ALTER TABLE readings ADD COLUMN quality INTEGER NOT NULL;',
    ];
    const latest = migrations.length;
    let error: unknown;
    try {
      openDatabase(file, { sync: 'full', migrations }).close();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      `cannot migrate the buffer ${file} from schema ${RELEASE_SCHEMA} to ${latest}: step ${latest} failed ` +
        '(Cannot add a NOT NULL column with default value NULL); the file is left as it was, at schema 1. ' +
        'Reinstall the previous faultline to keep using it, or move it aside to start an empty buffer',
    );
    expect(sha256(file)).toBe(before);
    expect(existsSync(`${file}-wal`)).toBe(false);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'step_two'").get()).toBeUndefined();
    db.close();
  });
});
