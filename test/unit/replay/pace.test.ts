// Pacing to --rate with an injected clock: no real sleeping.
import { describe, expect, it } from 'vitest';
import { createPacer, nextSlot } from '../../../src/replay/pace.js';
import { fakeClock } from './fake.js';

describe('nextSlot', () => {
  it('lets the first message go at once and schedules the next one interval later', () => {
    expect(nextSlot(null, 1000, 10, 100)).toEqual({ waitMs: 0, due: 1010 });
  });

  it('waits until the message is due', () => {
    expect(nextSlot(1010, 1003, 10, 100)).toEqual({ waitMs: 7, due: 1020 });
  });

  it('after a stall sends at most maxBurstMs worth of messages back to back', () => {
    // 5 s late at 10 ms intervals: without the cap 500 messages would go at once.
    let due: number | null = 1000;
    let immediate = 0;
    for (;;) {
      const slot = nextSlot(due, 6000, 10, 100);
      due = slot.due;
      if (slot.waitMs > 0) break;
      immediate++;
    }
    expect(immediate).toBe(11); // the one due now plus 100 ms worth
  });
});

describe('createPacer', () => {
  it('spaces 50 messages at 100/s over 0.49 s of (fake) time', async () => {
    const clock = fakeClock(5_000);
    const pacer = createPacer(100, clock);
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      await pacer.wait();
      times.push(clock.now());
    }
    expect(times[0]).toBe(5_000);
    expect((times[49] as number) - (times[0] as number)).toBeCloseTo(490, 6);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(Math.min(...gaps)).toBeCloseTo(10, 6);
  });

  it('at rates above what a timer can sleep, runs a little ahead and sleeps the debt off in steps of at least 2 ms', async () => {
    const clock = fakeClock();
    const pacer = createPacer(10_000, clock);
    for (let i = 0; i < 1000; i++) await pacer.wait();
    // The 1000th message is due at 99.9 ms; it may go up to 2 ms early, never late.
    expect(clock.now()).toBeGreaterThanOrEqual(97.9);
    expect(clock.now()).toBeLessThanOrEqual(99.9 + 1e-9);
    expect(Math.min(...clock.sleeps)).toBeGreaterThanOrEqual(2);
  });

  it('does not pace without a rate', async () => {
    const clock = fakeClock();
    const pacer = createPacer(null, clock);
    for (let i = 0; i < 100; i++) await pacer.wait();
    expect(clock.sleeps).toEqual([]);
  });

  it('refuses a rate of zero or below', () => {
    expect(() => createPacer(0, fakeClock())).toThrow(RangeError);
  });
});
