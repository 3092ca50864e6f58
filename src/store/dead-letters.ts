// Reads the dead letters ingest kept (ingest-batch.ts writes them): newest first, by reason, for
// `faultline dead-letters` and the status page. Read-only; the payload's bytes are shown escaped.

import type { Db } from './db.js';

export interface DeadLetter {
  id: number;
  /** Wall time it arrived (ms). */
  received_at: number;
  topic: string;
  reason: string;
  detail: string | null;
  /** Size of the payload as it arrived; `payload` holds its first DEAD_LETTER_BYTES. */
  payload_bytes: number;
  payload: Buffer;
}

export function listDeadLetters(db: Db, options: { reason?: string | undefined; limit: number }): DeadLetter[] {
  const columns = 'id, received_at, topic, reason, detail, payload_bytes, coalesce(payload, x\'\') AS payload';
  const rows =
    options.reason === undefined
      ? db.prepare<[number]>(`SELECT ${columns} FROM dead_letters ORDER BY id DESC LIMIT ?`).all(options.limit)
      : db.prepare<[string, number]>(`SELECT ${columns} FROM dead_letters WHERE reason = ? ORDER BY id DESC LIMIT ?`).all(options.reason, options.limit);
  return rows as DeadLetter[];
}

/**
 * The first `max` bytes of a payload as text a terminal or a page can show as it is: printable
 * ASCII stays, a backslash and every other byte become \xNN, and "…" marks what was cut.
 */
export function payloadText(payload: Buffer, max: number): string {
  let text = '';
  for (const byte of payload.subarray(0, max)) {
    text += byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return payload.length > max ? `${text}…` : text;
}
