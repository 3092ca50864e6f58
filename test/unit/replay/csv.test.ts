// Splitting lines of CSV, semicolon, tab and whitespace files, with and without quotes.
import { describe, expect, it } from 'vitest';
import { detectSeparator, isBlank, splitFields } from '../../../src/replay/csv.js';

describe('detectSeparator', () => {
  it.each([
    ['ts,asset,temperature', ','],
    ['ts;asset;temperature', ';'],
    ['ts\tasset\ttemperature', '\t'],
    ['1 1 -0.0007 -0.0004 100.0 518.67 641.82  ', 'whitespace'],
    ['"a;b",c,d', ','],
    ['temperature', ','],
  ] as const)('%j → %j', (line, expected) => {
    expect(detectSeparator(line)).toBe(expected);
  });

  it('counts only separators outside quotes', () => {
    expect(detectSeparator('"x,y,z";a;b')).toBe(';');
  });
});

describe('splitFields', () => {
  it('splits on commas and trims unquoted fields', () => {
    expect(splitFields(' ts , asset,temperature ', ',')).toEqual({ fields: ['ts', 'asset', 'temperature'] });
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(splitFields('1,,3,', ',')).toEqual({ fields: ['1', '', '3', ''] });
  });

  it('reads quoted fields with separators and doubled quotes inside', () => {
    expect(splitFields('"press ""A"", hall 2",71.2,"x"', ',')).toEqual({ fields: ['press "A", hall 2', '71.2', 'x'] });
  });

  it('keeps spaces inside quotes and takes a quote inside an unquoted field literally', () => {
    expect(splitFields('"  padded  ",12"3', ',')).toEqual({ fields: ['  padded  ', '12"3'] });
  });

  it('splits semicolon and tab files; a tab file keeps empty cells', () => {
    expect(splitFields('1;"a;b";71,2', ';')).toEqual({ fields: ['1', 'a;b', '71,2'] });
    expect(splitFields('1\t\t3', '\t')).toEqual({ fields: ['1', '', '3'] });
  });

  it('splits on runs of spaces and tabs, ignoring leading and trailing whitespace (C-MAPSS)', () => {
    expect(splitFields('  1 1  -0.0007\t100.0 518.67  ', 'whitespace')).toEqual({ fields: ['1', '1', '-0.0007', '100.0', '518.67'] });
    expect(splitFields('"press 1" 71.2', 'whitespace')).toEqual({ fields: ['press 1', '71.2'] });
  });

  it('strips a CR line end and a byte-order mark', () => {
    expect(splitFields('\uFEFFts,asset\r', ',')).toEqual({ fields: ['ts', 'asset'] });
  });

  it('reports a quote left open and text after a closing quote', () => {
    expect(splitFields('1,"open,3', ',')).toEqual({ problem: 'a quote is not closed on this line in field 2' });
    expect(splitFields('"a"b,2', ',')).toEqual({ problem: 'text after the closing quote of field 1' });
    expect(splitFields('"a"b 2', 'whitespace')).toEqual({ problem: 'text after the closing quote of field 1' });
  });
});

describe('isBlank', () => {
  it('is true for empty and whitespace-only lines, with or without CR', () => {
    expect(isBlank('')).toBe(true);
    expect(isBlank('  \t\r')).toBe(true);
    expect(isBlank(' x ')).toBe(false);
  });
});
