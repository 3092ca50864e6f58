// Reading timestamps as PLCs send them: epoch ms, epoch s, or ISO 8601 with a zone. Pure.

/** Epoch values below this are seconds: 1e11 s is the year 5138, 1e11 ms is March 1973. */
const SECONDS_BELOW = 1e11;
// A zone (Z or ±hh:mm) is required: a local time without one would be a guess on every gateway.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})$/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$/;

export type TimestampResult = { ts: number } | { problem: string };

/** Epoch milliseconds (integer) from a payload's timestamp value. */
export function readTimestamp(value: unknown): TimestampResult {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
    if (ISO_WITH_ZONE.test(text)) {
      const ms = Date.parse(text.replace(' ', 'T'));
      return Number.isFinite(ms) && realDay(text) ? { ts: ms } : { problem: `"${clip(text)}" is not a real date` };
    }
    if (ISO_WITHOUT_ZONE.test(text)) return { problem: `"${clip(text)}" has no time zone; add Z or an offset such as +01:00` };
    return { problem: `"${clip(text)}" is neither epoch ms, epoch s nor ISO 8601` };
  }
  return { problem: `is ${value === null ? 'null' : typeof value}, not a time` };
}

/** V8's Date.parse rolls 2025-02-30 over to March 2; a day past the month's end is no date. */
function realDay(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day <= days;
}

function fromEpoch(value: number): TimestampResult {
  if (!Number.isFinite(value) || value <= 0) return { problem: `${value} is not a time after 1970` };
  const ms = Math.round(value < SECONDS_BELOW ? value * 1000 : value);
  // Beyond year 275760 Date cannot represent it; reject rather than store nonsense.
  return ms > 8.64e15 ? { problem: `${value} is beyond any real date` } : { ts: ms };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
