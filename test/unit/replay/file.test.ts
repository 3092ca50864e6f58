// Reading replay files: numbered lines whatever the line endings, the first non-blank line, and
// the reasons a path cannot be replayed.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileLines, firstNonBlankLine, unreadable } from '../../../src/replay/file.js';
import { tempDir } from '../../helpers/teardown.js';

async function file(name: string, content: string): Promise<string> {
  const p = path.join(await tempDir('replay-file'), name);
  await writeFile(p, content);
  return p;
}

describe('fileLines', () => {
  it('numbers lines from 1 with LF and CRLF endings alike', async () => {
    const lines: Array<[number, string]> = [];
    for await (const line of fileLines(await file('a.csv', 'ts,x\r\n1,2\n\r\n3,4'))) lines.push([line.number, line.text]);
    expect(lines).toEqual([[1, 'ts,x'], [2, '1,2'], [3, ''], [4, '3,4']]);
  });
});

describe('firstNonBlankLine', () => {
  it('skips leading blank lines and is null for an empty file', async () => {
    expect(await firstNonBlankLine(await file('b.csv', '\n  \nts,x\n1,2\n'))).toBe('ts,x');
    expect(await firstNonBlankLine(await file('c.csv', ''))).toBeNull();
  });
});

describe('unreadable', () => {
  it('is null for a readable file and names the problem otherwise', async () => {
    const ok = await file('d.csv', 'ts,x\n');
    expect(await unreadable(ok)).toBeNull();
    expect(await unreadable('/nonexistent/e.csv')).toBe('/nonexistent/e.csv does not exist');
    expect(await unreadable(path.dirname(ok))).toBe(`${path.dirname(ok)} is not a file`);
  });
});
