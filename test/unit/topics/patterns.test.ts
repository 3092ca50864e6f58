import { describe, expect, it } from 'vitest';
import { filterMatches, parsePattern, parseTemplate } from '../../../src/topics/patterns.js';

describe('parsePattern', () => {
  it('turns captures into + and names them', () => {
    const pattern = parsePattern('plant/+line/+asset/telemetry');
    expect(pattern.filter).toBe('plant/+/+/telemetry');
    expect(pattern.captureNames).toEqual(['line', 'asset']);
    expect(pattern.match('plant/l1/press3/telemetry')).toEqual({ line: 'l1', asset: 'press3' });
  });

  it('does not match other topics', () => {
    const pattern = parsePattern('plant/+line/+asset/telemetry');
    expect(pattern.match('plant/l1/press3/fault')).toBeNull();
    expect(pattern.match('plant/l1/press3/telemetry/extra')).toBeNull();
    expect(pattern.match('plant/l1/telemetry')).toBeNull();
  });

  it('refuses an empty captured level, which cannot name an asset', () => {
    expect(parsePattern('plant/+line/+asset/telemetry').match('plant//press3/telemetry')).toBeNull();
  });

  it('keeps anonymous + and trailing # as wildcards without captures', () => {
    const pattern = parsePattern('site/+/+asset/#');
    expect(pattern.filter).toBe('site/+/+/#');
    expect(pattern.captureNames).toEqual(['asset']);
    expect(pattern.match('site/x/pump1/a/b/c')).toEqual({ asset: 'pump1' });
    expect(pattern.match('site/x/pump1')).toEqual({ asset: 'pump1' });
  });

  it.each([
    ['', /empty/],
    ['a/#/b', /# may only end/],
    ['a/b+/c', /whole level/],
    ['a/+Asset', /lower-case name/],
    ['a/+asset/+asset', /twice/],
  ])('explains what is wrong with %j', (source, message) => {
    expect(() => parsePattern(source)).toThrow(message);
  });
});

describe('filterMatches', () => {
  it.each([
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a/b/d', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/b', 'a/b/c', false],
    ['+/+', 'a', false],
  ])('%s against %s is %s', (filter, topic, expected) => expect(filterMatches(filter, topic)).toBe(expected));
});

describe('parseTemplate', () => {
  it('fills placeholders from captures', () => {
    const template = parseTemplate('plant/{line}/{asset}/prediction');
    expect(template.names).toEqual(['line', 'asset']);
    expect(template.render({ line: 'l1', asset: 'press3' })).toBe('plant/l1/press3/prediction');
  });

  it.each([
    ['', /empty/],
    ['plant/+/prediction', /wildcards/],
    ['plant/{asset/prediction', /stray/],
  ])('explains what is wrong with %j', (source, message) => expect(() => parseTemplate(source)).toThrow(message));
});
