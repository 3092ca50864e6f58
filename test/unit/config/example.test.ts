// config/faultline.yaml is the documented example: it must be valid, and every key the schema
// knows must appear in it with a comment on its line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { schemaDocs, type SchemaDoc } from '../../../src/config/describe.js';
import { loadConfig } from '../../../src/config/load.js';

const EXAMPLE = fileURLToPath(new URL('../../../config/faultline.yaml', import.meta.url));

function leafPaths(doc: SchemaDoc, prefix: string[] = []): string[][] {
  const node = doc.items?.properties ? doc.items : doc;
  if (!node.properties) return [prefix];
  return Object.entries(node.properties).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

describe('config/faultline.yaml', () => {
  it('is valid', () => {
    expect(() => loadConfig(EXAMPLE, {})).not.toThrow();
  });

  it('shows every schema key with a comment on its line', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const lines = text.split('\n');
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter });
    const undocumented: string[] = [];
    const paths = leafPaths(schemaDocs());
    expect(paths.length).toBeGreaterThan(60);
    for (const path of paths) {
      let node: unknown = doc.contents;
      let keyOffset: number | undefined;
      for (const part of path) {
        if (isSeq(node)) node = node.items[0];
        if (!isMap(node)) break;
        const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
        keyOffset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        node = pair?.value;
        if (keyOffset === undefined) break;
      }
      if (keyOffset === undefined) {
        undocumented.push(`${path.join('.')} (missing)`);
        continue;
      }
      const line = lines[lineCounter.linePos(keyOffset).line - 1] ?? '';
      if (!line.includes('#')) undocumented.push(`${path.join('.')} (no comment)`);
    }
    expect(undocumented).toEqual([]);
  });
});
