// Opens the SQLite buffer: the only importer of better-sqlite3. Creates the file 0600, enables WAL,
// applies forward-only migrations, and refuses (never overwrites) a damaged or newer database.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { errorCode, errorMessage } from '../error-message.js';

export type Db = Database.Database;
export type Statement<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

/** 'FLTN': marks the file as a faultline buffer, so we never migrate someone else's database. */
const APPLICATION_ID = 0x464c544e;

/**
 * journal_size_limit: what the WAL is truncated to when it restarts, so one that grew does not keep
 * its size on disk. The agent gets back to it in steps (wal-release.ts).
 */
export const WAL_LIMIT_BYTES = 64 * 1024 * 1024;

/** A database faultline must not touch; the process exits 1 and leaves the file as it is. */
export class StoreError extends Error {
  override name = 'StoreError';
}

export interface OpenOptions {
  sync: 'full' | 'normal';
  readonly?: boolean;
  /** The schema's steps; MIGRATIONS unless a test tries a step that fails. */
  migrations?: readonly string[];
}

export function openDatabase(path: string, options: OpenOptions): Db {
  if (!options.readonly) createPrivateFile(path);
  let db: Db;
  try {
    db = new Database(path, { fileMustExist: true, readonly: options.readonly ?? false });
  } catch (error) {
    throw new StoreError(`cannot open the buffer ${path}: ${errorMessage(error)}`);
  }
  try {
    checkIdentity(db, path);
    if (!options.readonly) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StoreError(`cannot switch ${path} to WAL mode (got ${String(mode)})`);
    }
    // FULL: a commit is on disk before we acknowledge it to the broker (survives a power cut).
    db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma(`journal_size_limit = ${WAL_LIMIT_BYTES}`);
    if (!options.readonly) migrate(db, path, options.migrations ?? MIGRATIONS);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw new StoreError(describeOpenFailure(path, error));
  }
}

function createPrivateFile(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') {
      throw new StoreError(`cannot create the buffer ${path}: ${errorMessage(error)}`);
    }
  }
}

function checkIdentity(db: Db, path: string): void {
  // Reading the schema fails with SQLITE_NOTADB / SQLITE_CORRUPT on a damaged file.
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (tables.n > 0 && appId !== APPLICATION_ID) {
    throw new StoreError(
      `${path} is an SQLite database of another program, not a faultline buffer; point storage.path at a new file`,
    );
  }
}

/**
 * Brings the file to the latest schema in one transaction: a step that fails rolls back every step
 * before it too, so the file stays exactly as the previous release left it (its WAL frames are
 * discarded, the main file never written) and that release can still open it. The schema version is
 * read under the write lock, so two processes opening an old file migrate it once.
 */
function migrate(db: Db, path: string, migrations: readonly string[]): void {
  const latest = migrations.length;
  const schema = (): number => db.pragma('user_version', { simple: true }) as number;
  if (schema() === latest) return;
  let current = 0;
  let step = 0;
  try {
    db.transaction(() => {
      current = schema();
      if (current > latest) throw newerSchema(path, current, latest);
      for (step = current + 1; step <= latest; step++) db.exec(migrations[step - 1]!);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${latest}`);
    }).immediate();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(
      `cannot migrate the buffer ${path} from schema ${current} to ${latest}: step ${step} failed ` +
        `(${errorMessage(error)}); the file is left as it was, at schema ${current}. ` +
        'Reinstall the previous faultline to keep using it, or move it aside to start an empty buffer',
    );
  }
}

function newerSchema(path: string, schema: number, latest: number): StoreError {
  return new StoreError(
    `${path} was written by a newer faultline (schema ${schema}; this version knows up to ${latest}); ` +
      'upgrade faultline, or point storage.path at a new file',
  );
}

function describeOpenFailure(path: string, error: unknown): string {
  const code = String(errorCode(error) ?? '');
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return `${path} is damaged or not a database (${code}); faultline leaves it untouched. Move it aside to start an empty buffer, or restore a backup`;
  }
  return `cannot open the buffer ${path}: ${errorMessage(error)}`;
}
