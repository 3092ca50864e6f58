// Drives the demo line in wall time: ticks the simulator at a steady rate and publishes its readings
// and faults as the contract's telemetry and fault messages. Owns its timer; not the broker or agent.
import { parseTemplate } from '../topics/patterns.js';
import { createPacer, systemClock, type Clock } from '../replay/pace.js';
import { payloadOf } from '../replay/rows.js';
import { SENSORS, type TickResult } from './simulator.js';

export interface FeedPublisher {
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
  ready(): Promise<void>;
}

export interface LineFeedOptions {
  simulator: { tick(): TickResult };
  publisher: FeedPublisher;
  /** Simulator ticks per wall second (each tick is one reading per asset). */
  ticksPerSecond: number;
  /** Default plant/{line}/{asset}/telemetry and plant/{line}/{asset}/fault, as in the contract. */
  telemetryTopic?: string;
  faultTopic?: string;
  qos?: 0 | 1;
  /** Stop by itself after this many ticks. */
  maxTicks?: number;
  /** After each tick's messages were handed to the publisher. */
  onTick?: (result: TickResult, counts: FeedCounts) => void;
  /** A publish failed (broker gone): counted in `failed`; the feed keeps ticking; the caller decides whether to stop. */
  onError?: (error: unknown) => void;
  clock?: Clock;
}

export interface FeedCounts {
  ticks: number;
  /** Telemetry messages published (each holds one reading per sensor). */
  messages: number;
  faults: number;
  /** Messages the broker did not take (connection lost). */
  failed: number;
}

export interface LineFeed {
  readonly counts: FeedCounts;
  /** Resolves when the feed has stopped (by stop() or maxTicks). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export function startLineFeed(options: LineFeedOptions): LineFeed {
  const telemetry = parseTemplate(options.telemetryTopic ?? 'plant/{line}/{asset}/telemetry');
  const fault = parseTemplate(options.faultTopic ?? 'plant/{line}/{asset}/fault');
  const qos = options.qos ?? 1;
  const pacer = createPacer(options.ticksPerSecond, options.clock ?? systemClock, 0);
  const counts: FeedCounts = { ticks: 0, messages: 0, faults: 0, failed: 0 };
  let stopped = false;
  const send = async (topic: string, payload: string): Promise<void> => {
    await options.publisher.ready();
    options.publisher.publish(topic, payload, qos).catch((error: unknown) => {
      counts.failed++;
      options.onError?.(error);
    });
  };
  const loop = async (): Promise<void> => {
    while (!stopped && (options.maxTicks === undefined || counts.ticks < options.maxTicks)) {
      await pacer.wait();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() may set it while the await is pending
      if (stopped) break;
      const result = options.simulator.tick();
      counts.ticks++;
      for (const r of result.readings) {
        await send(telemetry.render({ line: r.line, asset: r.asset }), payloadOf(r.ts, SENSORS.map((s) => [s, r.values[s]] as const)));
        counts.messages++;
      }
      // After the readings: the fault closes the episode that the same tick's reading ends.
      for (const f of result.faults) {
        await send(fault.render({ line: f.line, asset: f.asset }), `{"ts":${f.ts}}`);
        counts.faults++;
      }
      options.onTick?.(result, counts);
    }
  };
  const done = loop();
  return {
    counts,
    done,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}
