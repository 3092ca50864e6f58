// The retrain's worker thread: opens its own read-only connection (so ingest never waits on it),
// runs the job on one snapshot of the buffer and posts the outcome back. Never writes the buffer.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
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
      return { kind: 'trained', outcome };
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
 * On Linux a nice value belongs to a thread, so this lowers the retrain alone: when the cores are
 * busy, the scheduler serves ingest first (bench:retrain-ingest). Refused (a hardened sandbox that
 * denies setpriority), the retrain runs at normal priority, which is only slower for ingest.
 */
function yieldToIngest(): void {
  try {
    setPriority(19);
  } catch {
    // keep the default priority
  }
}

if (parentPort !== null) {
  yieldToIngest();
  parentPort.postMessage(train(workerData as WorkerInput));
}
