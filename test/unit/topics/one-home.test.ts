import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Issue 13: every contract topic is spelled in src/topics/contract.ts and nowhere else, so a renamed
// or added topic is one edit, and a reader finds all of them in one file.
const SRC = fileURLToPath(new URL('../../../src', import.meta.url));
const HOME = join('topics', 'contract.ts');
const PREFIXES = ['faultline/', 'spBv1.0/', '/prediction'];
// Spelled as a topic: /etc/faultline/faultline.yaml is a path, and ./prediction-publisher.js a module.
const AS_TOPIC: Record<string, RegExp> = {
  'faultline/': /(^|[^\w./-])faultline\//,
  'spBv1.0/': /spBv1\.0\//,
  '/prediction': /\/prediction(?![\w-])/,
};
const spells = (line: string, prefix: string): boolean => AS_TOPIC[prefix]?.test(line) ?? false;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|proto)$/.test(entry.name) ? [path] : [];
  });
}

describe('contract topics have one home', () => {
  it('spells faultline/, spBv1.0/ and /prediction only in src/topics/contract.ts', () => {
    const files = sources(SRC);
    expect(files).toContain(join(SRC, HOME));
    const found = files
      .filter((file) => relative(SRC, file) !== HOME)
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) => PREFIXES.filter((prefix) => spells(line, prefix)).map((prefix) => `${relative(SRC, file)}:${i + 1} ${prefix}`)),
      );
    expect(found).toEqual([]);
  });

  it('finds the prefixes in their home, so the check above is not looking at nothing', () => {
    const home = readFileSync(join(SRC, HOME), 'utf8');
    for (const prefix of PREFIXES) expect(home.split('\n').some((line) => spells(line, prefix)), prefix).toBe(true);
  });
});
