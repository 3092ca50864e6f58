// `faultline replay` against real brokers (aedes over MQTT 3.1.1, Mosquitto over MQTT 5): every row
// arrives as the expected JSON on the expected topic, --rate holds, faults follow each asset's last
// row, and the exit codes and messages are what a technician sees.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/demo/broker.js';
import { connectPublisher } from '../../../src/mqtt/publishing-client.js';
import { connectClient, describeEachBroker, type TestBroker } from '../../helpers/brokers.js';
import { cleanEnv, MAIN, REPO, runCli } from '../../helpers/cli.js';
import { freePort } from '../../helpers/ports.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

interface Received {
  topic: string;
  payload: unknown;
  qos: number;
  retain: boolean;
  at: number;
}

async function subscribe(broker: TestBroker, filter: string): Promise<{ client: MqttClient; received: Received[] }> {
  const client = await connectClient(broker);
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    received.push({ topic, payload: JSON.parse(payload.toString()), qos: packet.qos, retain: packet.retain, at: performance.now() });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, received };
}

async function writeCsv(name: string, text: string): Promise<string> {
  const file = path.join(await tempDir('replay'), name);
  await writeFile(file, text);
  return file;
}

// An hour before the current hour: inside what the repository's example config accepts (retention 30d).
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;

describeEachBroker('faultline replay', (start) => {
  it('publishes every good row as the contract JSON on plant/{line}/{asset}/telemetry, and reports the bad ones', async () => {
    const broker = await start();
    const { received } = await subscribe(broker, 'plant/#');
    const rows = Array.from({ length: 20 }, (_, i) => `${new Date(T0 + i * 10_000).toISOString()},${i % 2 ? 'press2' : 'press1'},${(70 + i / 10).toFixed(1)},0.03${i % 10}`);
    rows.splice(5, 0, `${T0},press1,n/a,0.1`);
    const file = await writeCsv('line.csv', ['ts,asset,temperature,vibration', ...rows, ''].join('\n'));
    const result = await runCli(['replay', file, '--url', broker.url, '--protocol', String(broker.protocolVersion)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await waitUntil(() => received.length >= 20, 5_000, '20 telemetry messages arrive');
    expect(received.map((m) => [m.topic, m.payload, m.qos, m.retain])).toEqual(
      Array.from({ length: 20 }, (_, i) => [
        `plant/line1/${i % 2 ? 'press2' : 'press1'}/telemetry`,
        { ts: T0 + i * 10_000, temperature: Number((70 + i / 10).toFixed(1)), vibration: Number(`0.03${i % 10}`) },
        1,
        false,
      ]),
    );
    expect(result.stdout).toContain('  rows       21 read: 20 published, 1 rejected');
    expect(result.stdout).toContain('  messages   20 (20 telemetry, 0 faults) on 2 topics, 20 acknowledged');
    expect(result.stdout).toContain('  line 7: temperature: "n/a" is not a number');
  });

  it('holds --rate: 50 rows at 100 messages/s take at least 0.4 s', async () => {
    const broker = await start();
    const { received } = await subscribe(broker, 'plant/#');
    const file = await writeCsv('rate.csv', ['ts,asset,x', ...Array.from({ length: 50 }, (_, i) => `${T0 + i * 1000},m1,${i}`)].join('\n'));
    const result = await runCli(['replay', file, '--url', broker.url, '--protocol', String(broker.protocolVersion), '--rate', '100', '--json']);
    expect(result.code).toBe(0);
    await waitUntil(() => received.length >= 50, 5_000, '50 messages arrive');
    const summary = JSON.parse(result.stdout) as { duration_s: number; messages: number; acknowledged: number };
    expect(summary).toMatchObject({ messages: 50, acknowledged: 50 });
    expect(summary.duration_s).toBeGreaterThanOrEqual(0.4);
    expect(summary.duration_s).toBeLessThan(3);
    expect(received.at(-1)!.at - received[0]!.at).toBeGreaterThanOrEqual(400);
    expect(received.map((m) => (m.payload as { x: number }).x)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('replays a header-less C-MAPSS-style file with --columns, and a fault after each engine\'s last cycle', async () => {
    const broker = await start();
    const { received } = await subscribe(broker, 'plant/#');
    const engine = (unit: number, cycles: number): string[] =>
      Array.from({ length: cycles }, (_, c) => `${unit} ${c + 1} -0.0007 -0.0004 100.0 518.67 ${(641.8 + c * 0.1).toFixed(2)}  `);
    const file = await writeCsv('train_FD001.txt', [...engine(1, 4), ...engine(2, 3), ''].join('\n'));
    const origin = '2025-11-01T00:00:00Z';
    const result = await runCli([
      'replay', file, '--url', broker.url, '--protocol', String(broker.protocolVersion),
      '--columns', 'asset,ts,setting1,setting2,setting3,s1,s2', '--ts-unit', 's', '--ts-origin', origin, '--fault-at-end', '--line', 'fd001',
    ]);
    expect(result.code).toBe(0);
    await waitUntil(() => received.length >= 9, 5_000, '7 readings and 2 faults arrive');
    const base = Date.parse(origin);
    expect(received.map((m) => m.topic)).toEqual([
      ...Array(4).fill('plant/fd001/1/telemetry'), 'plant/fd001/1/fault',
      ...Array(3).fill('plant/fd001/2/telemetry'), 'plant/fd001/2/fault',
    ]);
    expect(received[0]!.payload).toEqual({ ts: base + 1000, setting1: -0.0007, setting2: -0.0004, setting3: 100, s1: 518.67, s2: 641.8 });
    expect(received[4]!.payload).toEqual({ ts: base + 4000 });
    expect(received[8]!.payload).toEqual({ ts: base + 3000 });
    expect(result.stdout).toContain('9 (7 telemetry, 2 faults)');
  });

  it('exits 1 with a clear message when nothing listens at the URL', async () => {
    const port = await freePort();
    const result = await runCli(['replay', await writeCsv('x.csv', `ts,asset,x\n${T0},a,1\n`), '--url', `mqtt://127.0.0.1:${port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`faultline replay: cannot connect to mqtt://127.0.0.1:${port}: nothing accepts connections at 127.0.0.1:${port}; is the broker running, and is the port right?\n`);
    expect(result.stdout).toBe('');
  });
});

describe('faultline replay against the target config', () => {
  it('warns before publishing when rows are older than the config\'s storage.retention, and still publishes', async () => {
    const broker = await startBroker({ port: 0 });
    onCleanup(() => broker.close());
    const config = path.join(await tempDir('replay-config'), 'faultline.yaml');
    await writeFile(config, 'storage:\n  retention: 3d\n');
    const old = T0 - 5 * 86_400_000;
    const file = await writeCsv('old.csv', `ts,asset,x\n${old},a,1\n${T0},a,2\n`);
    const result = await runCli(['replay', file, '--url', broker.url, '--protocol', '4', '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^warning: 1 of 2 rows \\(the file spans \\S+ to \\S+\\) are older than storage\\.retention \\(3d\\) of the target config ${config}: the agent rejects them as too_old`));
    expect(result.stdout).toContain('2 published');
  });

  it('exits 78 when the --config given is wrong, before connecting', async () => {
    const result = await runCli(['replay', await writeCsv('x.csv', `ts,asset,x\n${T0},a,1\n`), '--url', 'mqtt://127.0.0.1:1', '--config', '/nonexistent/faultline.yaml']);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('/nonexistent/faultline.yaml:1:1 (file): the config file does not exist');
  });

  it('checks nothing when no config is found where every command looks', async () => {
    const file = await writeCsv('old.csv', 'ts,asset,x\n1000000000000,a,1\n');
    const result = await runCli(['replay', file, '--url', 'mqtt://127.0.0.1:1'], { cwd: await tempDir('no-config') });
    expect(result.stderr).not.toContain('warning');
    expect(result.code).toBe(1); // nothing listens there
  });
});

describe('faultline replay usage errors (exit 64, nothing published)', () => {
  it.each([
    [['replay', '--url', 'mqtt://127.0.0.1:1883'], 'faultline replay: name the file to replay: faultline replay FILE.csv --url URL'],
    [['replay', '/nonexistent/line.csv', '--url', 'mqtt://127.0.0.1:1883'], 'faultline replay: /nonexistent/line.csv does not exist'],
    [['replay', 'package.json'], 'faultline replay: --url is required, e.g. --url mqtt://127.0.0.1:1883'],
    [['replay', 'package.json', '--url', 'mqtt://127.0.0.1:1883', '--rate', 'fast'], 'faultline replay: --rate must be a number of messages per second above 0 (got "fast")'],
    [['replay', 'package.json', '--url', 'mqtt://127.0.0.1:1883', '--frob'], 'faultline replay: unknown option --frob'],
  ])('%j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(64);
    expect(result.stderr.split('\n')[0]!.startsWith(message)).toBe(true);
    expect(result.stdout).toBe('');
  });

  it('names the file and the column problem before connecting to any broker', async () => {
    const file = await writeCsv('no-asset.csv', 'ts,temperature\n1764316800000,70\n');
    const result = await runCli(['replay', file, '--url', 'mqtt://127.0.0.1:1']);
    expect(result.code).toBe(64);
    expect(result.stderr.split('\n')[0]).toBe(`faultline replay: ${file}: the topic uses {asset} but the file has no "asset" column; add an asset column or pass --asset NAME`);
  });

  it('--help describes the options and the exit codes', async () => {
    const result = await runCli(['replay', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: faultline replay FILE.csv --url URL/);
    for (const flag of ['--topic', '--rate', '--qos', '--protocol', '--columns', '--ts-unit', '--ts-origin', '--fault-at-end']) expect(result.stdout).toContain(flag);
    expect(result.stdout).toContain('64 usage error');
  });
});

describe('faultline replay against aedes with MQTT 5', () => {
  it('exits 1 and says to pass --protocol 4', async () => {
    const broker = await startBroker();
    onCleanup(() => broker.close());
    const result = await runCli(['replay', await writeCsv('x.csv', `ts,asset,x\n${T0},a,1\n`), '--url', broker.url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`faultline replay: cannot connect to ${broker.url}: the broker does not speak MQTT 5; pass --protocol 4\n`);
  });
});

describeEachBroker('publisher flow control', (start) => {
  it('never has more than maxInflight publishes unacknowledged, and delivers every message in order', async () => {
    const broker = await start();
    const { received } = await subscribe(broker, 'flow/#');
    const publisher = await connectPublisher({ url: broker.url, protocolVersion: broker.protocolVersion, maxInflight: 5 });
    onCleanup(() => publisher.end());
    let most = 0;
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 300; i++) {
      all.push(publisher.publish('flow/x', JSON.stringify({ i }), 1));
      most = Math.max(most, publisher.inflight);
    }
    await Promise.all(all);
    expect(most).toBe(5);
    expect(publisher.inflight).toBe(0);
    await waitUntil(() => received.length >= 300, 5_000, '300 messages arrive');
    expect(received.map((m) => (m.payload as { i: number }).i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });
});

describe('publisher when the broker goes away', () => {
  it('fails what is pending with a clear error instead of waiting forever', async () => {
    const broker = await startBroker();
    const publisher = await connectPublisher({ url: broker.url, protocolVersion: 4, maxInflight: 1000 });
    onCleanup(() => publisher.end());
    const pending = Array.from({ length: 2000 }, (_, i) => publisher.publish('gone/x', String(i), 1));
    await broker.close();
    const results = await Promise.allSettled(pending);
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed.length).toBeGreaterThan(0);
    expect((failed[0]!.reason as Error).message).toMatch(/^the connection to the broker was lost/);
    expect(publisher.lost).not.toBeNull();
    await expect(publisher.publish('gone/x', 'late', 1)).rejects.toThrow(/connection to the broker was lost/);
  });
});

describe('faultline replay stopped midway', () => {
  const bigFile = (): Promise<string> =>
    writeCsv('big.csv', ['ts,asset,x', ...Array.from({ length: 5_000 }, (_, i) => `${T0 + i * 1000},m${i % 3},${i}`)].join('\n'));

  /** Starts a replay at 200 messages/s and resolves once the subscriber has seen `count` messages. */
  async function startSlowReplay(count: number) {
    const embedded = await startBroker();
    onCleanup(() => embedded.close());
    const broker: TestBroker = { kind: 'aedes', url: embedded.url, protocolVersion: 4 };
    const { received } = await subscribe(broker, 'plant/#');
    const child = spawn(process.execPath, [MAIN, 'replay', await bigFile(), '--url', broker.url, '--protocol', '4', '--rate', '200'], { cwd: REPO, env: cleanEnv() });
    onCleanup(() => void child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitUntil(() => received.length >= count, 10_000, `${count} messages arrive`);
    return { embedded, child, exited, output: () => ({ stdout, stderr }) };
  }

  it('exits 1 and says how far it got when the broker goes away', async () => {
    const run = await startSlowReplay(20);
    await run.embedded.close();
    expect(await run.exited).toBe(1);
    const { stdout, stderr } = run.output();
    expect(stdout).toMatch(/^failed replay of /);
    expect(stdout).toContain('  stopped    the connection to the broker was lost');
    expect(stderr).toMatch(/faultline replay: stopped after \d+ acknowledged messages: the connection to the broker was lost/);
  });

  it('stops cleanly on Ctrl-C with a summary and exit 130', async () => {
    const run = await startSlowReplay(20);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const { stdout } = run.output();
    expect(stdout).toMatch(/^interrupted replay of /);
    const published = Number(/(\d+) published/.exec(stdout)?.[1]);
    expect(published).toBeGreaterThanOrEqual(20);
    expect(published).toBeLessThan(5_000);
    expect(stdout).toContain(`${published} acknowledged`);
  });
});
