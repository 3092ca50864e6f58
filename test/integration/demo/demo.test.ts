// `faultline demo`, headless (not a terminal): within a minute a model is trained and predictions
// flow on the embedded broker; Ctrl-C and --duration both stop it cleanly.
import { spawn } from 'node:child_process';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { MAIN, REPO, cleanEnv, runCli } from '../../helpers/cli.js';
import { freePort } from '../../helpers/ports.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

const PAYLOAD_KEYS = ['asset', 'contributions', 'history_s', 'horizon_s', 'level', 'line', 'model', 'risk', 'time_to_fault_s', 'ts'];

describe('faultline demo', () => {
  it('trains a model and publishes predictions within a minute, and stops on Ctrl-C', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const demo = spawn(process.execPath, [MAIN, 'demo', '--port', String(port)], { cwd: REPO, env: cleanEnv() });
    let output = '';
    demo.stdout.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => demo.on('exit', (code) => resolve(code)));
    onCleanup(() => {
      if (demo.exitCode === null) demo.kill('SIGKILL');
    });
    await waitUntil(() => output.includes(`mosquitto_sub -h 127.0.0.1 -p ${port} -V 311 -t 'plant/+/+/prediction' -v`), 15_000, 'the demo names its broker');
    // eslint-disable-next-line no-control-regex -- ESC starts the escape codes that must not appear
    expect(output).not.toMatch(/\u001b\[/); // no escape codes when stdout is not a terminal

    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4 });
    onCleanup(() => client.endAsync(true));
    const predictions: Array<Record<string, unknown>> = [];
    client.on('message', (_, payload) => predictions.push(JSON.parse(payload.toString())));
    await client.subscribeAsync('plant/+/+/prediction', { qos: 1 });
    await waitUntil(() => predictions.length >= 20, 60_000, '20 predictions from the demo');
    expect(Object.keys(predictions[0]!).sort()).toEqual(PAYLOAD_KEYS);
    expect(new Set(predictions.map((p) => p.asset)).size).toBeGreaterThan(1);
    await waitUntil(() => /predicting with model \d+/.test(output), 5_000, 'the status line says it is predicting');
    // The agent's status page, on a free loopback port the demo prints.
    const page = /status page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
    expect(page).toBeDefined();
    const status = (await (await fetch(`${page}api/status`)).json()) as { assets: unknown[]; model: { version: string } | null };
    expect(status.assets.length).toBe(6);
    expect(status.model?.version).toMatch(/^\d+$/);

    demo.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 5_000))]);
    expect(code).toBe(0);
    expect(output).toMatch(/faultline demo: \d+ predictions published, \d+ faults simulated, model \d+/);
  });

  it('stops by itself after --duration', async () => {
    const result = await runCli(['demo', '--duration', '3s']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('collecting history');
    expect(result.stdout).toMatch(/faultline demo: \d+ predictions published/);
  });

  it('refuses a bad --duration with exit 64', async () => {
    const result = await runCli(['demo', '--duration', 'soon']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--duration a duration such as 90s');
  });
});
