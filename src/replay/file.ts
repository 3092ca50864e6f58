// Reading a replay file line by line, numbered from 1, streaming (files may be larger than memory).
// The only file access of replay; no parsing beyond splitting lines.
import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { isBlank } from './csv.js';
import type { NumberedLine } from './replay.js';
import { errorCode, errorMessage } from '../error-message.js';

/** The file's lines; CRLF and LF endings both work (crlfDelay: Infinity). */
export async function* fileLines(path: string): AsyncGenerator<NumberedLine> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of lines) yield { number: ++number, text };
  } finally {
    lines.close();
    input.destroy();
  }
}

/** The first line that is not blank, or null for an empty file. */
export async function firstNonBlankLine(path: string): Promise<string | null> {
  for await (const line of fileLines(path)) if (!isBlank(line.text)) return line.text;
  return null;
}

/** Why `path` cannot be replayed, or null when it is a readable file. */
export async function unreadable(path: string): Promise<string | null> {
  try {
    if (!(await stat(path)).isFile()) return `${path} is not a file`;
    await access(path, constants.R_OK);
    return null;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return `${path} does not exist`;
    if (code === 'EACCES') return `${path} is not readable by this user`;
    return `cannot read ${path}: ${errorMessage(error)}`;
  }
}
