// Before a replay: which rows would the target agent reject for their time, and what it says.
import { describe, expect, it } from 'vitest';
import { planReplay, type NumberedLine } from '../../../src/replay/replay.js';
import { checkTimes, timeWarnings } from '../../../src/replay/time-range.js';
import { DEFAULT_SETTINGS } from './fake.js';

const NOW = Date.UTC(2026, 0, 31, 12);
const DAY = 86_400_000;
const LIMITS = { retentionMs: 30 * DAY, maxFutureMs: 300_000, source: 'the target config /etc/faultline/faultline.yaml' };

async function check(rows: string[]) {
  const text = ['ts,asset,x', ...rows].join('\n');
  const planned = planReplay(DEFAULT_SETTINGS, 'ts,asset,x');
  if ('problem' in planned) throw new Error(planned.problem);
  async function* lines(): AsyncIterable<NumberedLine> {
    let number = 0;
    for (const line of text.split('\n')) yield { number: ++number, text: line };
  }
  return checkTimes(planned.plan, lines(), LIMITS, NOW);
}

describe('the time range a target agent accepts', () => {
  it('says nothing when every row is inside retention and max_future', async () => {
    const result = await check([`${NOW - 29 * DAY},a,1`, `${NOW},a,2`, `${NOW + 60_000},a,3`]);
    expect(result).toEqual({ rows: 3, first: NOW - 29 * DAY, last: NOW + 60_000, tooOld: 0, tooNew: 0 });
    expect(timeWarnings(result, LIMITS)).toEqual([]);
  });

  it('counts rows older than storage.retention and says how to fix it', async () => {
    const result = await check([`${NOW - 40 * DAY},a,1`, `${NOW - 31 * DAY},a,2`, `${NOW - DAY},a,3`, 'bad,a,4']);
    expect(result).toMatchObject({ rows: 3, tooOld: 2, tooNew: 0 });
    expect(timeWarnings(result, LIMITS)).toEqual([
      '2 of 3 rows (the file spans 2025-12-22T12:00:00.000Z to 2026-01-30T12:00:00.000Z) are older than storage.retention (30d) of the target config /etc/faultline/faultline.yaml: the agent rejects them as too_old. Shift the times (--ts-unit s|ms with --ts-origin now-1d, or edit the file) or raise storage.retention',
    ]);
  });

  it('counts rows too far ahead of the clock', async () => {
    const result = await check([`${NOW + DAY},a,1`]);
    expect(timeWarnings(result, LIMITS)).toEqual([
      "all 1 rows (the file spans 2026-02-01T12:00:00.000Z to 2026-02-01T12:00:00.000Z) are more than ingest.max_future (5m) ahead of this machine's clock, the limit of the target config /etc/faultline/faultline.yaml: the agent rejects them as future_timestamp. Shift the times or raise ingest.max_future",
    ]);
  });

  it('has nothing to check in a file without times (they are the publish times)', async () => {
    const planned = planReplay(DEFAULT_SETTINGS, 'asset,x');
    if ('problem' in planned) throw new Error(planned.problem);
    async function* lines(): AsyncIterable<NumberedLine> {
      yield { number: 1, text: 'asset,x' };
      yield { number: 2, text: 'a,1' };
    }
    const result = await checkTimes(planned.plan, lines(), LIMITS, NOW);
    expect(result.rows).toBe(0);
    expect(timeWarnings(result, LIMITS)).toEqual([]);
  });
});
