// Runs retention in small steps between ingest batches: a short burst while there is work, then a
// long pause. Logs what it deleted, once per burst.
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Db } from './db.js';
import { Retention } from './retention.js';

const BURST_BUDGET_MS = 20;
const BUSY_PAUSE_MS = 50;
const IDLE_PAUSE_MS = 30_000;
/** Look at least ten times per retention period, so a short retention is kept closely. */
const LOOKS_PER_RETENTION = 10;

export function startRetention(db: Db, storage: Config['storage'], log: Logger, clock: () => number = Date.now): { stop(): void } {
  const retention = new Retention(db);
  const limits = { retentionMs: storage.retention, maxBytes: storage.max_size };
  const deleted = { age: 0, size: 0 };
  const idlePause = Math.max(BUSY_PAUSE_MS, Math.min(IDLE_PAUSE_MS, storage.retention / LOOKS_PER_RETENTION));
  let timer: NodeJS.Timeout | null = null;

  const burst = (): void => {
    const until = Date.now() + BURST_BUDGET_MS;
    let busy = false;
    try {
      while (Date.now() < until) {
        const step = retention.step(clock(), limits);
        if (step.why === null) break;
        deleted[step.why] += step.deleted;
        busy = true;
      }
    } catch (error) {
      log.error({ err: error }, 'retention step failed; will retry');
    }
    if (!busy && deleted.age + deleted.size > 0) {
      log.info({ deletedByAge: deleted.age, deletedBySize: deleted.size, usedBytes: retention.usedBytes() }, 'old readings deleted');
      deleted.age = 0;
      deleted.size = 0;
    }
    timer = setTimeout(burst, busy ? BUSY_PAUSE_MS : idlePause);
    timer.unref();
  };
  timer = setTimeout(burst, 0);
  timer.unref();
  return {
    stop: () => {
      if (timer) clearTimeout(timer);
    },
  };
}
