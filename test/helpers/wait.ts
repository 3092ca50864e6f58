// Deadline-bounded waiting for tests: wait for an event or a condition, never a bare sleep.
// Every failure message names what was being waited for.

const POLL_INTERVAL_MS = 10;

/** Structural subset of EventEmitter, so typed emitters (e.g. mqtt.js' MqttClient) fit too. */
export interface EventSource {
  // Node's own EventEmitter types its listeners (...args: any[]); nothing narrower accepts every emitter.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  once(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, listener: (...args: any[]) => void): unknown;
}

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Resolves with the event's arguments the first time `emitter` emits `event`.
 * Rejects after `ms`, or as soon as the emitter emits 'error' (unless `event` is 'error').
 */
export function waitForEvent<T extends unknown[] = unknown[]>(
  emitter: EventSource,
  event: string,
  ms: number,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args as T);
    };
    const onError = (err: unknown): void => {
      cleanup();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new WaitTimeoutError(`timed out after ${ms} ms waiting for event '${event}'`));
    }, ms);
    const watchErrors = event !== 'error';
    function cleanup(): void {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      if (watchErrors) emitter.off('error', onError);
    }
    emitter.once(event, onEvent);
    if (watchErrors) emitter.once('error', onError);
  });
}

/**
 * Polls `condition` every few ms until it returns a truthy value, which is returned.
 * A throwing condition counts as "not yet"; the last error is quoted on timeout.
 */
export async function waitUntil<T>(
  condition: () => T | Promise<T>,
  ms: number,
  what: string,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const cause = lastError === undefined ? '' : ` (last error: ${describeError(lastError)})`;
      throw new WaitTimeoutError(`timed out after ${ms} ms waiting until ${what}${cause}`);
    }
    await delay(POLL_INTERVAL_MS);
  }
}

/** Rejects with a message naming `what` if `promise` does not settle within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WaitTimeoutError(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
