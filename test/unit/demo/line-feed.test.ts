// The demo feed: ticks the simulator at its rate (fake clock) and publishes contract messages.
import { describe, expect, it } from 'vitest';
import { startLineFeed } from '../../../src/demo/line-feed.js';
import { LineSimulator } from '../../../src/demo/simulator.js';
import { fakeClock, fakePublisher } from '../replay/fake.js';

const T0 = Date.UTC(2025, 10, 1);

describe('startLineFeed', () => {
  it('publishes one telemetry message per asset per tick and a fault after the asset\'s last reading', async () => {
    const clock = fakeClock();
    const publisher = fakePublisher(clock);
    const simulator = new LineSimulator({ seed: 4, startTs: T0 });
    const ticks: number[] = [];
    const feed = startLineFeed({ simulator, publisher, ticksPerSecond: 5, maxTicks: 150, clock, onTick: (_, counts) => ticks.push(counts.ticks) });
    await feed.done;
    expect(feed.counts.ticks).toBe(150);
    expect(ticks).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    const telemetry = publisher.sent.filter((m) => m.topic.endsWith('/telemetry'));
    const faults = publisher.sent.filter((m) => m.topic.endsWith('/fault'));
    expect(telemetry).toHaveLength(150 * 6);
    expect(feed.counts).toEqual({ ticks: 150, messages: 900, failed: 0, faults: faults.length });
    expect(faults.length).toBeGreaterThan(3);
    expect(new Set(telemetry.map((m) => m.topic))).toEqual(new Set(simulator.assets.map((a) => `plant/line1/${a}/telemetry`)));
    expect(Object.keys(JSON.parse(telemetry[0]!.payload))).toEqual(['ts', 'temperature', 'vibration', 'current']);
    expect(JSON.parse(telemetry[0]!.payload).ts).toBe(T0);
    for (const fault of faults) {
      const asset = fault.topic.split('/')[2];
      const index = publisher.sent.indexOf(fault);
      const before = publisher.sent.slice(0, index).filter((m) => m.topic === `plant/line1/${asset}/telemetry`).at(-1)!;
      expect(JSON.parse(fault.payload)).toEqual({ ts: JSON.parse(before.payload).ts });
      expect(fault.qos).toBe(1);
    }
  });

  it('ticks at the given rate in wall time: 50 ticks at 5/s take 9.8 s of (fake) time', async () => {
    const clock = fakeClock();
    const publisher = fakePublisher(clock);
    const feed = startLineFeed({ simulator: new LineSimulator({ seed: 1, startTs: T0 }), publisher, ticksPerSecond: 5, maxTicks: 50, clock });
    await feed.done;
    expect(clock.now()).toBeCloseTo(9_800, 6);
  });

  it('uses the given topics and QoS, reports publish failures and stops on request', async () => {
    const clock = fakeClock();
    const publisher = fakePublisher(clock, { failAfter: 3 });
    const errors: string[] = [];
    const feed = startLineFeed({
      simulator: new LineSimulator({ seed: 1, startTs: T0, assets: ['m1'] }),
      publisher,
      ticksPerSecond: 10,
      telemetryTopic: 'demo/{asset}/t',
      qos: 0,
      clock,
      onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
      onTick: (_, counts) => {
        if (counts.ticks === 10) void feed.stop();
      },
    });
    await feed.done;
    expect(feed.counts.ticks).toBe(10);
    expect(publisher.sent[0]).toMatchObject({ topic: 'demo/m1/t', qos: 0 });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toBe('the connection to the broker was lost');
  });
});
