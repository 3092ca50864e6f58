// The buffer file as the agent leaves it on disk, and what happens when the file is not ours to touch.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { runCli, startAgent } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { tempDir } from '../../helpers/teardown.js';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

async function runOnce(dir: string): Promise<void> {
  const agent = startAgent(writeConfig(dir));
  await agent.waitForLog((l) => l.msg === 'agent started', 10_000, '"agent started"');
  expect((await agent.stop()).code).toBe(0);
}

describe('the SQLite buffer', () => {
  it('is created 0600, in WAL mode, at the latest schema', async () => {
    const dir = await tempDir('store');
    await runOnce(dir);
    const file = join(dir, 'faultline.db');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('application_id', { simple: true })).toBe(0x464c544e);
    db.close();
  });

  it('keeps its data and schema across restarts (migrations run once)', async () => {
    const dir = await tempDir('store');
    await runOnce(dir);
    const file = join(dir, 'faultline.db');
    const db = new Database(file);
    db.prepare("INSERT INTO assets (name) VALUES ('press3')").run();
    db.close();
    await runOnce(dir);
    const status = await runCli(['status', '--json', '--config', join(dir, 'faultline.yaml')]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ assets: 1, readings: 0, model: null });
  });

  it('refuses a damaged file with exit 1 and leaves it untouched', async () => {
    const dir = await tempDir('store');
    const file = join(dir, 'faultline.db');
    writeFileSync(file, Buffer.from('SQLite format 3\u0000'.padEnd(4096, '\u00ff')));
    const before = sha256(file);
    const result = await runCli(['run', '--config', writeConfig(dir)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file} is damaged or not a database`);
    expect(result.stderr).toContain('Move it aside');
    expect(sha256(file)).toBe(before);
  });

  it('refuses a file that is not a database at all', async () => {
    const dir = await tempDir('store');
    const file = join(dir, 'faultline.db');
    writeFileSync(file, 'these are not the pages you are looking for\n'.repeat(200));
    const before = sha256(file);
    const result = await runCli(['run', '--config', writeConfig(dir)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('damaged or not a database (SQLITE_NOTADB)');
    expect(sha256(file)).toBe(before);
  });

  it('refuses a buffer written by a newer faultline, untouched', async () => {
    const dir = await tempDir('store');
    await runOnce(dir);
    const file = join(dir, 'faultline.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    const before = sha256(file);
    const result = await runCli(['run', '--config', join(dir, 'faultline.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`written by a newer faultline (schema 99; this version knows up to ${MIGRATIONS.length})`);
    expect(sha256(file)).toBe(before);
  });

  it("refuses another program's SQLite database", async () => {
    const dir = await tempDir('store');
    const file = join(dir, 'faultline.db');
    const db = new Database(file);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    db.close();
    const before = sha256(file);
    const result = await runCli(['run', '--config', writeConfig(dir)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is an SQLite database of another program, not a faultline buffer');
    expect(sha256(file)).toBe(before);
  });
});
