import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Issue 13: a caught value is read through src/error-message.ts, and a rejected promise is never
// dropped without a word. The linter's no-floating-promises catches a promise nobody handles; these
// catch the two shapes it lets through.
const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const FORBIDDEN: Array<[string, RegExp]> = [
  ['a cast of a caught value', /as (Error|NodeJS\.ErrnoException)\b/],
  ['a rejection swallowed in silence', /\.catch\(\(\) => (undefined|\{\})\)/],
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('src/ reads errors one way and drops none', () => {
  it('has no cast of a caught value and no silently swallowed rejection', () => {
    const found = sources(SRC).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => FORBIDDEN.filter(([, pattern]) => pattern.test(line)).map(([what]) => `${relative(SRC, file)}:${i + 1} ${what}`)),
    );
    expect(found).toEqual([]);
  });

  it('recognises both shapes, so the check above is not looking for nothing', () => {
    const [cast, swallowed] = FORBIDDEN.map(([, pattern]) => pattern);
    expect(cast?.test('throw new X((error as Error).message)')).toBe(true);
    expect(swallowed?.test('p.catch(() => undefined);')).toBe(true);
  });
});
