// Test doubles for the replay core: a clock whose sleep advances time instantly, a publisher that
// records every message with the fake time it was sent, and the default settings. Test helper only.
import type { Clock } from '../../../src/replay/pace.js';
import type { ReplaySettings } from '../../../src/replay/replay.js';

/** The settings `faultline replay FILE --url URL` runs with: no other option given. */
export const DEFAULT_SETTINGS: ReplaySettings = {
  columns: null,
  separator: null,
  topic: 'plant/{line}/{asset}/telemetry',
  faultTopic: 'plant/{line}/{asset}/fault',
  faultAtEnd: false,
  qos: 1,
  rate: null,
  tsColumn: 'ts',
  tsUnit: 'auto',
  tsOrigin: null,
  defaults: { line: 'line1' },
  skip: [],
  decimalComma: false,
};

export interface FakeClock extends Clock {
  sleeps: number[];
}

export function fakeClock(start = 0): FakeClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

export interface Sent {
  topic: string;
  payload: string;
  qos: 0 | 1;
  at: number;
}

export function fakePublisher(clock: Clock, options: { failAfter?: number } = {}) {
  const sent: Sent[] = [];
  return {
    sent,
    ready: () => Promise.resolve(),
    publish: (topic: string, payload: string, qos: 0 | 1): Promise<void> => {
      sent.push({ topic, payload, qos, at: clock.now() });
      if (options.failAfter !== undefined && sent.length > options.failAfter) return Promise.reject(new Error('the connection to the broker was lost'));
      return Promise.resolve();
    },
  };
}
