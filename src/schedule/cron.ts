// Cron schedules: the only importer of node-cron. Checks an expression for the config (pure) and runs
// a callback on a schedule; knows nothing of what the callback does (today: the retrain).
import cron from 'node-cron';

const CRON_HINT = 'write 5 fields (minute hour day month weekday) or 6 with seconds first, e.g. "0 */6 * * *" for every 6 hours';

/** A technician-readable reason the expression is not valid cron, or null when it is. */
export function cronProblem(expression: string): string | null {
  const result = cron.validateDetailed(expression);
  if (result.valid) return null;
  const first = result.errors[0];
  const what = first ? first.message.replace(' a invalid', ' an invalid') : 'not a cron expression';
  return `"${expression}" is not a valid cron expression (${what}); ${CRON_HINT}`;
}

export interface Schedule {
  stop(): void;
  /** When it runs next (ms since the epoch), or null. */
  nextRun(): number | null;
}

/** Calls `run` on the schedule; `run` handles its own errors and overlap. */
export function startSchedule(expression: string, run: () => void): Schedule {
  const task = cron.schedule(expression, () => run(), { name: 'retrain', noOverlap: true });
  return {
    stop: () => {
      void task.destroy();
    },
    nextRun: () => task.getNextRun()?.getTime() ?? null,
  };
}
