// What a caught value says about itself: `catch` hands over `unknown`, and a thrown string, a Node.js
// system error and an mqtt.js refusal each carry their facts differently. Pure.

/** The message of an Error, or the value itself as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `code` a Node.js system error ('ENOENT'), SQLite ('SQLITE_FULL') or an MQTT refusal (135) carries. */
export function errorCode(error: unknown): string | number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

/** The stack of an Error, else its text: for the last-resort report of an unexpected failure. */
export function errorStack(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
