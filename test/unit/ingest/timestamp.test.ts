import { describe, expect, it } from 'vitest';
import { readTimestamp } from '../../../src/ingest/timestamp.js';

describe('readTimestamp', () => {
  const ms = Date.UTC(2025, 10, 28, 8, 0, 0);

  it.each([
    ['epoch ms', ms, ms],
    ['epoch s', ms / 1000, ms],
    ['fractional epoch s', ms / 1000 + 0.25, ms + 250],
    ['epoch ms as a string', String(ms), ms],
    ['epoch s as a string', String(ms / 1000), ms],
    ['ISO with Z', '2025-11-28T08:00:00Z', ms],
    ['ISO with millis and Z', '2025-11-28T08:00:00.123Z', ms + 123],
    ['ISO with offset', '2025-11-28T09:00:00+01:00', ms],
    ['ISO with compact offset', '2025-11-28T03:00:00-0500', ms],
    ['ISO with a space', '2025-11-28 08:00:00Z', ms],
  ])('reads %s', (_, value, expected) => {
    expect(readTimestamp(value)).toEqual({ ts: expected });
  });

  it('refuses ISO without a time zone instead of guessing', () => {
    expect(readTimestamp('2025-11-28T08:00:00')).toEqual({ problem: '"2025-11-28T08:00:00" has no time zone; add Z or an offset such as +01:00' });
    expect(readTimestamp('2025-11-28')).toMatchObject({ problem: expect.stringContaining('no time zone') });
  });

  it.each([
    [0, 'not a time after 1970'],
    [-5, 'not a time after 1970'],
    [Number.NaN, 'not a time after 1970'],
    [Number.POSITIVE_INFINITY, 'not a time after 1970'],
    [1e17, 'beyond any real date'],
    ['yesterday', 'neither epoch ms, epoch s nor ISO 8601'],
    ['2025-13-45T99:99:99Z', 'not a real date'],
    [null, 'is null, not a time'],
    [true, 'is boolean, not a time'],
    [{ at: 1 }, 'is object, not a time'],
  ])('refuses %j', (value, problem) => {
    const result = readTimestamp(value);
    expect('problem' in result && result.problem).toContain(problem);
  });
});
