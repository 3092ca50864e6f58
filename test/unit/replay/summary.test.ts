// What the technician reads at the end of a replay.
import { describe, expect, it } from 'vitest';
import type { ReplaySummary } from '../../../src/replay/replay.js';
import { formatSummary, summaryJson, summaryWarnings } from '../../../src/replay/summary.js';

const SUMMARY: ReplaySummary = {
  rows: 1002, published: 1000, rejected: 2,
  rejections: [{ line: 17, problem: 'has 5 fields, expected 6 (ts, asset, a, b, c, d)' }, { line: 33, problem: 'vibration: "n/a" is not a number' }],
  messages: 1006, acknowledged: 1006, faults: 6, topics: 6,
  firstTs: Date.UTC(2025, 10, 28, 8), lastTs: Date.UTC(2025, 10, 28, 9), durationMs: 2_000, interrupted: false, failure: null,
};
const CONTEXT = { file: 'line.csv', url: 'mqtt://127.0.0.1:1883', qos: 1 as const };

describe('formatSummary', () => {
  it('says rows, messages, span, duration and rate, then each rejected row with its line number', () => {
    expect(formatSummary(SUMMARY, CONTEXT)).toBe(
      [
        'replayed line.csv to mqtt://127.0.0.1:1883 (QoS 1)',
        '  rows       1002 read: 1000 published, 2 rejected',
        '  messages   1006 (1000 telemetry, 6 faults) on 6 topics, 1006 acknowledged',
        '  time span  2025-11-28T08:00:00.000Z .. 2025-11-28T09:00:00.000Z',
        '  duration   2.00 s, 503 messages/s',
        'rejected rows (2):',
        '  line 17: has 5 fields, expected 6 (ts, asset, a, b, c, d)',
        '  line 33: vibration: "n/a" is not a number',
        '',
      ].join('\n'),
    );
  });

  it('says when the list of rejections is cut, and why a run stopped', () => {
    const text = formatSummary({ ...SUMMARY, rejected: 40, failure: 'the connection to the broker was lost' }, CONTEXT);
    expect(text).toContain('failed replay of line.csv');
    expect(text).toContain('  stopped    the connection to the broker was lost');
    expect(text).toContain('rejected rows (40, first 2 shown):');
  });
});

describe('summaryJson', () => {
  it('is one JSON object with snake_case keys', () => {
    expect(JSON.parse(summaryJson(SUMMARY, CONTEXT))).toEqual({
      file: 'line.csv', url: 'mqtt://127.0.0.1:1883', qos: 1, rows: 1002, published: 1000, rejected: 2,
      rejections: SUMMARY.rejections, messages: 1006, acknowledged: 1006, faults: 6, topics: 6,
      first_ts: SUMMARY.firstTs, last_ts: SUMMARY.lastTs, duration_s: 2, rate: 503, interrupted: false, failure: null,
    });
  });
});

describe('summaryWarnings', () => {
  it('warns about times in 1970 (relative times read as epoch) and about a file of which nothing was published', () => {
    expect(summaryWarnings(SUMMARY)).toEqual([]);
    expect(summaryWarnings({ ...SUMMARY, firstTs: 1000 })[0]).toContain('timestamps start at 1970-01-01T00:00:01.000Z');
    expect(summaryWarnings({ ...SUMMARY, published: 0 })).toEqual(['every row was rejected: check --columns, --separator and --ts-unit']);
  });
});
