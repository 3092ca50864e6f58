// `faultline run` as systemd runs it: JSON logs, clean stop on SIGTERM within 5 s, SIGHUP reloads
// (a broken file keeps the running config), exit 78 on a bad config.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../../src/demo/broker.js';
import { runCli, startAgent } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';

describe('faultline run', () => {
  it('starts with the example config, logs JSON, and exits 0 within 5 s of SIGTERM', async () => {
    const dir = await tempDir('run');
    const agent = startAgent('config/faultline.yaml', { env: { FAULTLINE_STORAGE__PATH: `${dir}/fl.db`, FAULTLINE_HTTP__LISTEN: 'off' } });
    const started = await agent.waitForLog((l) => l.msg === 'agent started', 10_000, '"agent started"');
    expect(started.level).toBe('info');
    expect(typeof started.time).toBe('string');
    expect(agent.stray).toEqual([]);
    const stop = await agent.stop('SIGTERM');
    expect(stop.code).toBe(0);
    expect(stop.elapsedMs).toBeLessThan(5_000);
    expect(agent.logs.map((l) => l.msg)).toContain('agent stopped');
  });

  it('stops on SIGINT too', async () => {
    const dir = await tempDir('run');
    const agent = startAgent(writeConfig(dir));
    await agent.waitForLog((l) => l.msg === 'agent started', 10_000, '"agent started"');
    const stop = await agent.stop('SIGINT');
    expect(stop.code).toBe(0);
  });

  it('keeps running on SIGHUP with a broken file, logs every problem, then applies a fixed one', async () => {
    const dir = await tempDir('reload');
    const file = writeConfig(dir);
    const agent = startAgent(file);
    await agent.waitForLog((l) => l.msg === 'agent started', 10_000, '"agent started"');

    writeFileSync(file, 'log:\n  level: loud\nmodel:\n  window: soon\n');
    agent.child.kill('SIGHUP');
    const rejected = await agent.waitForLog((l) => l.msg.startsWith('config reload rejected'), 10_000, 'the rejected reload');
    expect(rejected.level).toBe('error');
    expect(rejected.problems).toEqual([
      `${file}:2:10 log.level: must be one of fatal, error, warn, info, debug, trace (got "loud")`,
      expect.stringContaining(`${file}:4:11 model.window: "soon" is not a duration`),
    ]);
    expect(agent.child.exitCode).toBeNull();

    // An empty file on a reload is a file caught half-written, not a wish for every default.
    writeFileSync(file, '');
    agent.child.kill('SIGHUP');
    await agent.waitForLog((l) => l.msg.startsWith('config reload rejected') && l !== rejected, 10_000, 'the empty file refused');
    expect(agent.logs.filter((l) => l.msg.startsWith('config reload rejected')).at(-1)?.problems).toEqual([
      `${file}:1:1 (file): is empty, perhaps still being written; save it again, then reload`,
    ]);

    writeConfig(dir, { log: { level: 'debug' }, model: { window: '5m' } });
    agent.child.kill('SIGHUP');
    const applied = await agent.waitForLog((l) => l.msg.startsWith('config reloaded'), 10_000, 'the applied reload');
    expect(applied.changed).toEqual(expect.arrayContaining(['log', 'model']));
    const stop = await agent.stop();
    expect(stop.code).toBe(0);
  });

  it('exits 78 without starting when the config is wrong', async () => {
    const dir = await tempDir('bad');
    const file = writeConfig(dir, { mqtt: { url: 'http://x' } });
    const result = await runCli(['run', '--config', file]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${file}:`);
    expect(result.stderr).toContain('mqtt.url: "http://x" is not an MQTT broker URL');
    expect(result.stdout).toBe('');
  });
});

describe('faultline run, a second signal', () => {
  it('forces the exit while a clean stop is still under way', async () => {
    const broker = await startBroker();
    onCleanup(() => broker.close());
    const dir = await tempDir('second-signal');
    const agent = startAgent(writeConfig(dir, { mqtt: { url: broker.url, protocol_version: 4 } }));
    await agent.waitForLog((l) => l.msg === 'subscribed', 10_000, 'subscribed');
    // The clean stop has to talk to the broker (offline status, DISCONNECT); the second signal
    // arrives while it does.
    agent.child.kill('SIGTERM');
    agent.child.kill('SIGINT');
    const { code } = await agent.exited;
    expect(code).toBe(130);
    // The kernel may hand the two signals over in either order.
    expect(agent.stderr()).toMatch(/second SIG(TERM|INT), exiting without waiting/);
  });
});
