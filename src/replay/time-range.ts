// Before a replay starts: would the target agent accept the file's timestamps? It rejects readings
// older than storage.retention or further ahead than ingest.max_future; a replay of such a file
// would report every row published while the agent stores none. Reads the file once; no broker.
import { isBlank } from './csv.js';
import { formatDuration } from '../config/units.js';
import { parseLine, type NumberedLine, type ReplayPlan } from './replay.js';

export interface Acceptance {
  retentionMs: number;
  maxFutureMs: number;
  /** Names the config the limits come from, in the warning. */
  source: string;
}

export interface TimeCheck {
  rows: number;
  first: number | null;
  last: number | null;
  tooOld: number;
  tooNew: number;
}

/** Counts the rows outside [now − retention, now + max_future]; rows without a time are not counted. */
export async function checkTimes(plan: ReplayPlan, lines: AsyncIterable<NumberedLine>, limits: Acceptance, now: number): Promise<TimeCheck> {
  const check: TimeCheck = { rows: 0, first: null, last: null, tooOld: 0, tooNew: 0 };
  let first = true;
  for await (const line of lines) {
    const parsed = parseLine(plan, line, first);
    if (!isBlank(line.text)) first = false;
    if (parsed.kind !== 'row' || parsed.row.ts === null) continue;
    const { ts } = parsed.row;
    check.rows++;
    check.first = Math.min(check.first ?? ts, ts);
    check.last = Math.max(check.last ?? ts, ts);
    if (ts < now - limits.retentionMs) check.tooOld++;
    else if (ts > now + limits.maxFutureMs) check.tooNew++;
  }
  return check;
}

/** What to tell the technician before publishing, if anything. */
export function timeWarnings(check: TimeCheck, limits: Acceptance): string[] {
  if (check.first === null || check.last === null) return [];
  const span = `${new Date(check.first).toISOString()} to ${new Date(check.last).toISOString()}`;
  const of = (n: number): string => (n === check.rows ? `all ${n} rows` : `${n} of ${check.rows} rows`);
  const warnings: string[] = [];
  if (check.tooOld > 0) {
    warnings.push(
      `${of(check.tooOld)} (the file spans ${span}) are older than storage.retention (${formatDuration(limits.retentionMs)}) of ${limits.source}: ` +
        'the agent rejects them as too_old. Shift the times (--ts-unit s|ms with --ts-origin now-1d, or edit the file) or raise storage.retention',
    );
  }
  if (check.tooNew > 0) {
    warnings.push(
      `${of(check.tooNew)} (the file spans ${span}) are more than ingest.max_future (${formatDuration(limits.maxFutureMs)}) ahead of this machine's clock, ` +
        `the limit of ${limits.source}: the agent rejects them as future_timestamp. Shift the times or raise ingest.max_future`,
    );
  }
  return warnings;
}
