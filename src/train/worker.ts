// The retrain's child process: opens its own connection (so ingest never waits on it), runs the job
// (which reads one asset's snapshot at a time) and sends the outcome back. It writes only the cache
// of episode statistics (store/episode-cache.ts), one asset per short transaction; never readings.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { errorMessage } from '../error-message.js';
import { encodeFleetStats } from '../fleet/codec.js';
import type { FleetStats } from '../fleet/types.js';
import { openDatabase, type Db } from '../store/db.js';
import { FleetMembers } from '../store/fleet-members.js';
import { EpisodeCache } from '../store/episode-cache.js';
import { TrainingData } from '../store/training-data.js';
import { NotEnoughDataError } from './errors.js';
import { runJob, type FleetJob } from './job.js';
import type { SharedStats, WorkerFleet, WorkerInput, WorkerReply } from './messages.js';

/** Runs the job and turns every way it can end into a reply; never throws. */
export function train(input: WorkerInput): WorkerReply {
  try {
    // The cache can always be computed again: a power cut may lose its last write, never a reading.
    const db = openDatabase(input.dbPath, { sync: 'normal' });
    try {
      const source = new TrainingData(db);
      const fleet = input.fleet && fleetJob(db, input.fleet);
      const outcome = runJob(source, new EpisodeCache(db), { model: input.model, champion: input.champion, now: input.now, ...(fleet ? { fleet } : {}) });
      return { kind: 'trained', outcome, peakRssKb: process.resourceUsage().maxRSS, fleet: shared(outcome.fleet ?? null) };
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof NotEnoughDataError) {
      const { message, samples, episodes, minSamples } = error;
      return { kind: 'not_enough_data', message, samples, episodes, minSamples, fleet: shared(error.fleet) };
    }
    const e = error instanceof Error ? error : new Error(String(error));
    return { kind: 'failed', message: `${e.name}: ${e.message}`, ...(e.stack !== undefined ? { stack: e.stack } : {}) };
  }
}

/** The job's view of the fleet: the members' latest statistics when learning from them, none when only sharing. */
function fleetJob(db: Db, fleet: WorkerFleet): FleetJob | undefined {
  const { selector, agent, share, learn, waitMs } = fleet;
  if (selector.id === null) return undefined;
  return { id: selector.id, agent, members: learn ? new FleetMembers(db).all(selector) : [], share, waitMs };
}

/** The statistics to share, encoded here rather than on the agent's thread (messages.ts). */
function shared(stats: FleetStats | null): SharedStats | null {
  if (stats === null) return null;
  try {
    const payload = encodeFleetStats(stats);
    return { kind: 'encoded', fleet: stats.fleet, agent: stats.agent, episodes: stats.episodes.length, recipe: stats.recipe?.hash ?? null, payload };
  } catch (error) {
    return { kind: 'unsendable', message: errorMessage(error) };
  }
}

/**
 * Makes the retrain a background job, so that when ingest wants a core it gets it at once.
 * On Linux the policy is SCHED_IDLE, set with util-linux's chrt (Node has no API for a policy):
 * a waking task preempts an idle-policy task immediately, where a task at nice 19 can finish
 * its time slice first, and each reading waits on three wakeups (broker, agent, fsync). Measured
 * in bench:retrain-ingest: ingest p99 while a 1M-sample retrain runs 1.0-1.8x idle, against 1.0-2.7x
 * (median 1.8x) at nice 19. Without chrt, or where it is refused, every thread gets nice 19 (a nice
 * value belongs to a thread, and Node has started its V8 and libuv threads before this runs;
 * threads started later inherit either setting). Refused too, the retrain runs at normal
 * priority, which is only slower for ingest.
 */
function yieldToIngest(): void {
  if (process.platform === 'linux' && idlePolicy()) return;
  for (const id of threadIds()) {
    try {
      setPriority(id, 19);
    } catch {
      // keep the default priority
    }
  }
}

/** SCHED_IDLE for every thread of this process; false when chrt is missing or refused. */
function idlePolicy(): boolean {
  try {
    execFileSync('chrt', ['--idle', '--all-tasks', '--pid', '0', String(process.pid)], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
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
