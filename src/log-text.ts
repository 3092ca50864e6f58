// A log line for people on a terminal: time, level, message, then the fields as key=value. Reads the
// JSON line pino wrote (secrets already masked), so the text never holds more than the JSON does.

const LONG = 200;
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'app', 'err']);

/** `12:00:01.123 WARN  broker connection problem  url=mqtt://... code=ECONNREFUSED`, one line (plus a stack for errors). */
export function formatLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json; // not ours to reformat
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = (typeof entry.level === 'string' ? entry.level : '').toUpperCase().padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${show(value)}`);
  const err = entry.err as { message?: unknown; stack?: unknown } | undefined;
  if (err !== undefined) fields.push(`err=${show(err.message ?? err)}`);
  const head = `${time} ${level} ${typeof entry.msg === 'string' ? entry.msg : ''}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}`;
  const stack = (entry.level === 'error' || entry.level === 'fatal') && typeof err?.stack === 'string' ? `\n    ${err.stack.split('\n').slice(1).map((l) => l.trim()).join('\n    ')}` : '';
  return `${head}${stack}\n`;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? (/[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value) : JSON.stringify(value);
  return text.length > LONG ? `${text.slice(0, LONG)}... (${text.length} characters; JSON logs have it whole)` : text;
}
