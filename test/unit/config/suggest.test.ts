import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../../src/config/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['retention', 'retension', 1],
    ['kitten', 'sitting', 3],
    ['mqt', 'mqtt', 1],
  ])('%j → %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  it('names a plausible typo', () => expect(closest('retension', ['path', 'retention', 'max_size'])).toBe('retention'));
  it('ignores case', () => expect(closest('JSN', ['json', 'value'])).toBe('json'));
  it('says nothing when no candidate is close', () => expect(closest('banana', ['path', 'retention'])).toBeNull());
});
