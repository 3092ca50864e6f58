// The replay core with a fake publisher and clock: what is published where, what is rejected and
// why (with line numbers), faults after each asset's last row, pacing, interruption and failures.
import { describe, expect, it } from 'vitest';
import { planReplay, replay, type NumberedLine, type ReplayPlan, type ReplaySettings } from '../../../src/replay/replay.js';
import { DEFAULT_SETTINGS, fakeClock, fakePublisher } from './fake.js';


function lines(text: string): () => AsyncIterable<NumberedLine> {
  return async function* () {
    let number = 0;
    for (const line of text.split('\n')) yield { number: ++number, text: line };
  };
}

function planFor(text: string, settings: Partial<ReplaySettings> = {}): ReplayPlan {
  const first = text.split('\n').find((l) => l.trim() !== '') ?? null;
  const planned = planReplay({ ...DEFAULT_SETTINGS, ...settings }, first);
  if ('problem' in planned) throw new Error(planned.problem);
  return planned.plan;
}

async function run(text: string, settings: Partial<ReplaySettings> = {}, options: { failAfter?: number; stopAfter?: number; wallNow?: number } = {}) {
  const clock = fakeClock(1_000);
  const publisher = fakePublisher(clock, options);
  const summary = await replay(planFor(text, settings), {
    lines: lines(text),
    publisher,
    clock,
    wallNow: () => options.wallNow ?? 1_764_000_000_000,
    stopRequested: () => options.stopAfter !== undefined && publisher.sent.length >= options.stopAfter,
  });
  return { summary, sent: publisher.sent, clock };
}

const CSV = `ts,line,asset,temperature,vibration
2025-11-28T08:00:00Z,line2,press1,71.2,0.031
1764316810,line2,press1,71.4,0.032

1764316820000,line2,press2,60,0.02
1764316830000,line2,press2,bad,0.02
1764316840000,line2,press2,61
1764316850000,line2,press2,62,0.021`;

describe('replay', () => {
  it('publishes one message per good row on the filled topic, with the numeric columns and ts', async () => {
    const { summary, sent } = await run(CSV);
    expect(sent.map((m) => [m.topic, JSON.parse(m.payload), m.qos])).toEqual([
      ['plant/line2/press1/telemetry', { ts: 1764316800000, temperature: 71.2, vibration: 0.031 }, 1],
      ['plant/line2/press1/telemetry', { ts: 1764316810000, temperature: 71.4, vibration: 0.032 }, 1],
      ['plant/line2/press2/telemetry', { ts: 1764316820000, temperature: 60, vibration: 0.02 }, 1],
      ['plant/line2/press2/telemetry', { ts: 1764316850000, temperature: 62, vibration: 0.021 }, 1],
    ]);
    expect(summary).toMatchObject({ rows: 6, published: 4, rejected: 2, messages: 4, acknowledged: 4, faults: 0, topics: 2, firstTs: 1764316800000, lastTs: 1764316850000, interrupted: false, failure: null });
  });

  it('reports each rejected row with its line number in the file and why', async () => {
    const { summary } = await run(CSV);
    expect(summary.rejections).toEqual([
      { line: 6, problem: 'temperature: "bad" is not a number' },
      { line: 7, problem: 'has 4 fields, expected 5 (ts, line, asset, temperature, vibration)' },
    ]);
  });

  it('lists at most 20 rejections but counts them all', async () => {
    const text = ['ts,asset,x', ...Array.from({ length: 30 }, (_, i) => `${1764316800000 + i},a,oops`), '1764316900000,a,1'].join('\n');
    const { summary } = await run(text);
    expect(summary.rejected).toBe(30);
    expect(summary.rejections).toHaveLength(20);
    expect(summary.rejections[0]).toEqual({ line: 2, problem: 'x: "oops" is not a number' });
    expect(summary.published).toBe(1);
  });

  it('fills {line} with line1 without a line column, and stamps rows with the publish time without a ts column', async () => {
    const { sent } = await run('asset;temperature\npump1;"71,5"\npump1;72', { separator: ';', decimalComma: true }, { wallNow: 1_764_999_000_000 });
    expect(sent.map((m) => [m.topic, JSON.parse(m.payload)])).toEqual([
      ['plant/line1/pump1/telemetry', { ts: 1_764_999_000_000, temperature: 71.5 }],
      ['plant/line1/pump1/telemetry', { ts: 1_764_999_000_000, temperature: 72 }],
    ]);
  });

  it('replays a header-less whitespace file with --columns, relative cycles and a fault after each engine (C-MAPSS)', async () => {
    const text = [
      '1 1 -0.0007 -0.0004 100.0 518.67 641.82  ',
      '1 2 0.0019 -0.0003 100.0 518.67 642.15  ',
      '2 1 -0.0018 0.0006 100.0 518.67 642.35  ',
      '2 2 0.0011 0.0002 100.0 518.67 642.37  ',
      '2 3 -0.0005 0.0000 100.0 518.67 642.41  ',
      '',
    ].join('\r\n');
    const origin = Date.UTC(2025, 0, 1);
    const { summary, sent } = await run(text, {
      columns: ['asset', 'ts', 'setting1', 'setting2', 'setting3', 's1', 's2'],
      tsUnit: 's',
      tsOrigin: origin,
      faultAtEnd: true,
      topic: 'cmapss/{line}/engine{asset}/telemetry',
      faultTopic: 'cmapss/{line}/engine{asset}/fault',
      defaults: { line: 'fd001' },
    });
    expect(sent.map((m) => m.topic)).toEqual([
      'cmapss/fd001/engine1/telemetry',
      'cmapss/fd001/engine1/telemetry',
      'cmapss/fd001/engine1/fault',
      'cmapss/fd001/engine2/telemetry',
      'cmapss/fd001/engine2/telemetry',
      'cmapss/fd001/engine2/telemetry',
      'cmapss/fd001/engine2/fault',
    ]);
    expect(JSON.parse(sent[0]!.payload)).toEqual({ ts: origin + 1000, setting1: -0.0007, setting2: -0.0004, setting3: 100, s1: 518.67, s2: 641.82 });
    expect(JSON.parse(sent[2]!.payload)).toEqual({ ts: origin + 2000 });
    expect(JSON.parse(sent[6]!.payload)).toEqual({ ts: origin + 3000 });
    expect(summary).toMatchObject({ rows: 5, published: 5, faults: 2, messages: 7 });
  });

  it('puts the fault after the asset\'s last good row even when its rows are interleaved with others', async () => {
    const text = 'ts,asset,x\n1764316800000,a,1\n1764316800000,b,1\n1764316810000,a,2\n1764316810000,b,2\n1764316820000,b,3\n1764316830000,a,oops';
    const { sent } = await run(text, { faultAtEnd: true });
    expect(sent.map((m) => `${m.topic} ${m.payload}`)).toEqual([
      'plant/line1/a/telemetry {"ts":1764316800000,"x":1}',
      'plant/line1/b/telemetry {"ts":1764316800000,"x":1}',
      'plant/line1/a/telemetry {"ts":1764316810000,"x":2}',
      'plant/line1/a/fault {"ts":1764316810000}',
      'plant/line1/b/telemetry {"ts":1764316810000,"x":2}',
      'plant/line1/b/telemetry {"ts":1764316820000,"x":3}',
      'plant/line1/b/fault {"ts":1764316820000}',
    ]);
  });

  it('paces messages to --rate (fake clock): 50 rows at 100/s span 0.49 s', async () => {
    const text = ['ts,asset,x', ...Array.from({ length: 50 }, (_, i) => `${1764316800000 + i * 1000},a,${i}`)].join('\n');
    const { summary, sent } = await run(text, { rate: 100 });
    expect(sent).toHaveLength(50);
    expect(sent[49]!.at - sent[0]!.at).toBeCloseTo(490, 6);
    expect(summary.durationMs).toBeCloseTo(490, 6);
  });

  it('stops early when asked (Ctrl-C) and says so', async () => {
    const text = ['ts,asset,x', ...Array.from({ length: 50 }, (_, i) => `${1764316800000 + i},a,${i}`)].join('\n');
    const { summary, sent } = await run(text, {}, { stopAfter: 10 });
    expect(sent).toHaveLength(10);
    expect(summary).toMatchObject({ interrupted: true, published: 10, rows: 10 });
  });

  it('stops at the first failed publish and reports what the broker acknowledged', async () => {
    const text = ['ts,asset,x', ...Array.from({ length: 50 }, (_, i) => `${1764316800000 + i},a,${i}`)].join('\n');
    const { summary } = await run(text, {}, { failAfter: 5 });
    expect(summary.failure).toBe('the connection to the broker was lost');
    expect(summary.acknowledged).toBe(5);
    expect(summary.messages).toBeLessThan(50);
  });
});

describe('planReplay', () => {
  it.each([
    [{ topic: 'plant/+/x' }, 'ts,asset,x', '--topic "plant/+/x" contains + or #; a topic to publish to cannot hold wildcards'],
    [{ faultTopic: 'plant/{asset' }, 'ts,asset,x', '--fault-topic "plant/{asset" has a stray { or }; placeholders look like {asset} or {line}'],
    [{}, null, 'the file is empty'],
    [{}, 'ts,"asset,x', 'the header line: a quote is not closed on this line in field 2'],
    [{}, 'ts,temperature', 'the topic uses {asset} but the file has no "asset" column; add an asset column or pass --asset NAME'],
  ] as const)('refuses %j with first line %j', (settings, first, problem) => {
    expect(planReplay({ ...DEFAULT_SETTINGS, ...settings }, first)).toEqual({ problem });
  });

  it('needs the fault topic\'s placeholders only with --fault-at-end', () => {
    const settings = { ...DEFAULT_SETTINGS, faultTopic: 'plant/{cell}/{asset}/fault' };
    expect('plan' in planReplay(settings, 'ts,asset,x')).toBe(true);
    expect(planReplay({ ...settings, faultAtEnd: true }, 'ts,asset,x')).toEqual({
      problem: 'the topic uses {cell} but the file has no "cell" column; add a "cell" column or change --topic',
    });
  });

  it('guesses the separator from the first line, or takes the one given', () => {
    expect(planFor('ts;asset;x').separator).toBe(';');
    expect(planFor('ts asset x').separator).toBe('whitespace');
    expect(planFor('ts asset x', { separator: ',', columns: ['ts asset x'], defaults: { line: 'l', asset: 'a' } }).separator).toBe(',');
  });
});
