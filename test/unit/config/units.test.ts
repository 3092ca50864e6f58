import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../../src/config/units.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1.5s', 1_500],
    [' 2h ', 7_200_000],
    ['0', 0],
  ])('reads %j as %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '10', '10 minutes', 'm', '-5s', '5S', '1e3s', '30 s s', '5w'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('parseSize', () => {
  it.each([
    ['64KB', 65_536],
    ['512MB', 536_870_912],
    ['2GB', 2_147_483_648],
    ['1tb', 1_099_511_627_776],
    ['100B', 100],
  ])('reads %j as %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', '64', 'KB', '2 gigabytes', '-1MB', '1PB'])('refuses %j', (text) => expect(parseSize(text)).toBeNull());
});

describe('formatting', () => {
  it('spells durations with the largest exact unit', () => {
    expect([0, 500, 1_500, 30_000, 600_000, 7_200_000, 604_800_000, 90_000].map(formatDuration)).toEqual([
      '0s', '500ms', '1500ms', '30s', '10m', '2h', '7d', '90s',
    ]);
  });

  it('round-trips every duration it formats', () => {
    for (const ms of [1, 999, 1_000, 61_000, 3_600_000, 86_400_000 * 3]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it('spells sizes with the largest exact unit', () => {
    expect([100, 65_536, 536_870_912, 2_147_483_648, 1_500].map(formatSize)).toEqual(['100B', '64KB', '512MB', '2GB', '1500B']);
  });
});
