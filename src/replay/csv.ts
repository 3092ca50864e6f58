// Splitting delimited text lines into fields: comma, semicolon, tab or runs of whitespace, with
// optional RFC 4180 quotes. Pure, one line at a time; knows nothing of columns, numbers or MQTT.

export type Separator = ',' | ';' | '\t' | 'whitespace';

export const SEPARATOR_NAMES: Readonly<Record<string, Separator>> = {
  ',': ',',
  comma: ',',
  ';': ';',
  semicolon: ';',
  tab: '\t',
  '\t': '\t',
  space: 'whitespace',
  whitespace: 'whitespace',
};

export type SplitResult = { fields: string[] } | { problem: string };

/**
 * The separator of a file, guessed from its first line: the most frequent of , ; and tab outside
 * quotes, else runs of whitespace (as in NASA's C-MAPSS files), else a single column (",").
 */
export function detectSeparator(line: string): Separator {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) counts[ch]++;
  }
  const best = (Object.entries(counts) as Array<[',' | ';' | '\t', number]>).sort((a, b) => b[1] - a[1])[0];
  if (best && best[1] > 0) return best[0];
  return /\S\s+\S/.test(line.trim()) ? 'whitespace' : ',';
}

/**
 * The fields of one line. A field that starts with a double quote runs to the matching quote
 * ("" inside is one quote) and must be followed by the separator or the end of the line; quotes
 * elsewhere are taken literally. A quote left open at the end of the line is a problem: records
 * spanning lines are not supported (sensor exports never need them, and one stray quote would
 * otherwise swallow the rest of the file). Unquoted fields are trimmed.
 */
export function splitFields(line: string, separator: Separator): SplitResult {
  const text = stripLineEnd(line);
  if (separator === 'whitespace') return splitWhitespace(text);
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (text[i] === ' ' || (text[i] === '\t' && separator !== '\t')) i++;
    if (text[i] === '"') {
      const quoted = readQuoted(text, i + 1);
      if ('problem' in quoted) return { problem: `${quoted.problem} in field ${fields.length + 1}` };
      fields.push(quoted.value);
      i = quoted.next;
      while (text[i] === ' ' || (text[i] === '\t' && separator !== '\t')) i++;
      if (i >= text.length) return { fields };
      if (text[i] !== separator) return { problem: `text after the closing quote of field ${fields.length}` };
      i++;
      continue;
    }
    const end = text.indexOf(separator, i);
    if (end < 0) {
      fields.push(text.slice(i).trim());
      return { fields };
    }
    fields.push(text.slice(i, end).trim());
    i = end + 1;
  }
}

function splitWhitespace(text: string): SplitResult {
  const fields: string[] = [];
  let i = 0;
  const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t';
  for (;;) {
    while (isSpace(text[i])) i++;
    if (i >= text.length) return { fields };
    if (text[i] === '"') {
      const quoted = readQuoted(text, i + 1);
      if ('problem' in quoted) return { problem: `${quoted.problem} in field ${fields.length + 1}` };
      if (quoted.next < text.length && !isSpace(text[quoted.next])) return { problem: `text after the closing quote of field ${fields.length + 1}` };
      fields.push(quoted.value);
      i = quoted.next;
      continue;
    }
    let end = i;
    while (end < text.length && !isSpace(text[end])) end++;
    fields.push(text.slice(i, end));
    i = end;
  }
}

function readQuoted(text: string, from: number): { value: string; next: number } | { problem: string } {
  let value = '';
  let i = from;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) return { problem: 'a quote is not closed on this line' };
    value += text.slice(i, close);
    if (text[close + 1] === '"') {
      value += '"';
      i = close + 2;
      continue;
    }
    return { value, next: close + 1 };
  }
}

/** Removes a trailing CR (files written on Windows) and a leading byte-order mark. */
export function stripLineEnd(line: string): string {
  let text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** True for a line with nothing but whitespace: skipped, neither a row nor a rejection. */
export function isBlank(line: string): boolean {
  return stripLineEnd(line).trim() === '';
}
