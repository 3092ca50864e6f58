// Pacing messages to a rate (`--rate N` messages per second) with an injected clock, so tests need
// no real sleeping. Must not burst to catch up after a stall by more than a short allowance.

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * When the next message may go. Messages are due one interval apart; after a stall (a slow
 * broker, a paused process) at most `maxBurstMs` worth of messages are sent back to back, so a
 * catch-up never floods the broker. Pure: returns how long to wait and the next due time.
 */
export function nextSlot(due: number | null, now: number, intervalMs: number, maxBurstMs: number): { waitMs: number; due: number } {
  if (due === null) return { waitMs: 0, due: now + intervalMs };
  const at = Math.max(due, now - maxBurstMs);
  return { waitMs: Math.max(0, at - now), due: at + intervalMs };
}

const MIN_SLEEP_MS = 2;

/** Paces calls to `wait()` to `ratePerS`; null or Infinity: no pacing (flow control alone limits). */
export function createPacer(ratePerS: number | null, clock: Clock, maxBurstMs = 100): { wait(): Promise<void> } {
  if (ratePerS === null || !Number.isFinite(ratePerS)) return { wait: () => Promise.resolve() };
  if (!(ratePerS > 0)) throw new RangeError(`rate must be > 0 messages per second, got ${ratePerS}`);
  const intervalMs = 1000 / ratePerS;
  let due: number | null = null;
  return {
    async wait() {
      const slot = nextSlot(due, clock.now(), intervalMs, maxBurstMs);
      due = slot.due;
      // Timers cannot sleep less than ~1 ms: at high rates run slightly ahead, then sleep the debt off.
      if (slot.waitMs >= MIN_SLEEP_MS) await clock.sleep(slot.waitMs);
    },
  };
}
