// Gives back the disk space of a grown WAL a slice at a time. While a retrain reads its snapshot,
// the WAL cannot restart and grows with ingest (200-300 MB during a 1M-sample retrain at 2,000
// readings a second). SQLite truncates it to journal_size_limit at its next restart, in one
// ftruncate on whichever connection commits: for the agent, ingest's event loop, and measured at
// 90-100 ms for 200 MB. Lowering the limit a step below the WAL's size each tick instead splits
// that into truncations of STEP_BYTES (8 MB took 2.4-3.7 ms under strace here) until the WAL is
// back at WAL_LIMIT_BYTES: 200 MB in about 6 s at that ingest rate.
import { statSync } from 'node:fs';
import { WAL_LIMIT_BYTES, type Db } from './db.js';

/** At most this much is truncated at one WAL restart. */
export const STEP_BYTES = 4 * 1024 * 1024;
const EVERY_MS = 125;

/** The journal_size_limit that lets the next restart of a WAL of `walBytes` truncate one step. */
export function nextLimit(walBytes: number, limit: number = WAL_LIMIT_BYTES, step: number = STEP_BYTES): number {
  return walBytes > limit + step ? walBytes - step : limit;
}

/** The WAL file's size in bytes; 0 when there is none (it is removed when the last connection closes). */
export function walBytes(dbPath: string): number {
  return statSync(`${dbPath}-wal`, { throwIfNoEntry: false })?.size ?? 0;
}

export interface WalReleaseOptions {
  /** Where the WAL ends up; WAL_LIMIT_BYTES, what openDatabase sets, unless a test wants less. */
  readonly limit?: number;
  readonly step?: number;
  readonly everyMs?: number;
}

export function startWalRelease(db: Db, dbPath: string, options: WalReleaseOptions = {}): { stop(): void } {
  const { limit: target = WAL_LIMIT_BYTES, step = STEP_BYTES, everyMs = EVERY_MS } = options;
  let applied = db.pragma('journal_size_limit', { simple: true }) as number;
  const timer = setInterval(() => {
    try {
      const limit = nextLimit(walBytes(dbPath), target, step);
      if (limit === applied) return;
      db.pragma(`journal_size_limit = ${limit}`);
      applied = limit;
    } catch {
      // The limit stays where it was; SQLite still truncates at the next restart, only in one go.
    }
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
