// Reading the technician's YAML: the parser options, and where in the text a key or an error is, as
// 1-based line and column. Pure.
import { isMap, isScalar, isSeq, visit, type Document } from 'yaml';

/**
 * logLevel error: yaml's warnings come back as config problems, not as process warnings on stderr.
 * resolveKnownTags false: !!binary, !!set, !!timestamp and the like stay unknown tags (a problem)
 * rather than becoming Buffers, Sets and Dates that the schema would pick apart key by key.
 */
export const YAML_OPTIONS = { logLevel: 'error', resolveKnownTags: false } as const;

/** Offset of the value at `path` (or of its key when `atKey`), else of the nearest existing parent. */
export function offsetOf(doc: Document, path: ReadonlyArray<PropertyKey>, atKey: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const [index, part] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
      if (!pair) break;
      const keyOffset = rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = last && atKey ? keyOffset : rangeStart(node) ?? keyOffset;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part] !== undefined) {
      node = node.items[part];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/**
 * Where a comment starts on the line of the plain (unquoted) value at `path`, or null. YAML ends a
 * plain value at " #": `password: abc #def` is the value "abc" and the comment "def".
 */
export function cutByComment(doc: Document, text: string, path: ReadonlyArray<PropertyKey>): number | null {
  const node = doc.getIn(path as unknown[], true);
  if (!isScalar(node) || node.type !== 'PLAIN' || !node.range) return null;
  const end = node.range[1];
  const lineEnd = text.indexOf('\n', end);
  const hash = /^[ \t]+#/.exec(text.slice(end, lineEnd < 0 ? undefined : lineEnd));
  return hash ? end + hash[0].length - 1 : null;
}

export function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

/**
 * 1-based line and column of an offset, counted from the text itself: yaml's LineCounter misses the
 * line breaks inside tokens it re-reads while recovering from a syntax error.
 */
export function linePositions(text: string): (offset: number) => { line: number; col: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const at = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: at - starts[lo]! + 1 };
  };
}

/** Where the first unresolvable alias is, else the first alias (for an alias bomb), else 0. */
export function aliasOffset(doc: Document): number {
  let unresolved: number | undefined;
  let first: number | undefined;
  visit(doc, {
    Alias(_, node) {
      first ??= node.range?.[0];
      if (node.resolve(doc) === undefined) {
        unresolved = node.range?.[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return unresolved ?? first ?? 0;
}

/** The key path and the start of the deepest node spanning `offset`, to place a YAML syntax error. */
export function nodeAtOffset(doc: Document, offset: number): { path: Array<string | number>; start: number | undefined } {
  const path: Array<string | number> = [];
  let node: unknown = doc.contents;
  let start = rangeStart(node);
  const spans = (item: unknown, from: number | undefined): boolean => {
    const end = (item as { range?: number[] } | null)?.range?.[2];
    // A node that starts at the error is the broken node itself, not a key the technician wrote.
    return from !== undefined && end !== undefined && from < offset && offset <= end;
  };
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) => spans(item.value ?? item.key, rangeStart(item.key)));
      if (!pair || !isScalar(pair.key)) break;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => spans(item, rangeStart(item)));
      if (index < 0) break;
      path.push(index);
      node = node.items[index];
    } else {
      break;
    }
    start = rangeStart(node) ?? start;
  }
  return { path, start };
}
