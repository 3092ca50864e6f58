// The retrain's child process: opens its own read-only connection (so ingest never waits on it),
// runs the job on one snapshot of the buffer and sends the outcome back. Never writes the buffer.
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { openDatabase } from '../store/db.js';
import { TrainingData } from '../store/training-data.js';
import { NotEnoughDataError } from './errors.js';
import { runJob } from './job.js';
import type { WorkerInput, WorkerReply } from './messages.js';

/** Runs the job and turns every way it can end into a reply; never throws. */
export function train(input: WorkerInput): WorkerReply {
  try {
    // sync only matters to writers; this connection never writes.
    const db = openDatabase(input.dbPath, { sync: 'normal', readonly: true });
    try {
      const source = new TrainingData(db);
      const outcome = source.snapshot(() => runJob(source, { model: input.model, champion: input.champion, now: input.now }));
      return { kind: 'trained', outcome, peakRssKb: process.resourceUsage().maxRSS };
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof NotEnoughDataError) {
      const { message, samples, episodes, minSamples } = error;
      return { kind: 'not_enough_data', message, samples, episodes, minSamples };
    }
    const e = error instanceof Error ? error : new Error(String(error));
    return { kind: 'failed', message: `${e.name}: ${e.message}`, ...(e.stack !== undefined ? { stack: e.stack } : {}) };
  }
}

/**
 * Lowers the retrain's priority: when the cores are busy, the scheduler serves ingest first
 * (bench:retrain-ingest). On Linux a nice value belongs to a thread, and Node has started its
 * V8 and libuv threads before this runs, so every thread of the process is lowered (threads
 * started later inherit it); elsewhere the process's own priority is. Refused (a sandbox that
 * denies setpriority), the retrain runs at normal priority, which is only slower for ingest.
 */
function yieldToIngest(): void {
  for (const id of threadIds()) {
    try {
      setPriority(id, 19);
    } catch {
      // keep the default priority
    }
  }
}

/** This process's thread ids from /proc on Linux; elsewhere 0, which setPriority reads as "this process". */
function threadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [0];
  }
}

if (process.send !== undefined) {
  yieldToIngest();
  process.once('message', (input) => {
    // Disconnecting lets the process exit once the reply is out.
    process.send!(train(input as WorkerInput), () => process.disconnect());
  });
  // The agent went away (the channel closed): nothing will read the reply.
  process.once('disconnect', () => process.exit(0));
}
