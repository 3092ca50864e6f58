// `faultline check-config --probe` against a real Mosquitto: what arrives on each configured topic
// and what the agent would make of it; nothing at all; a wrong password; no broker. And that the
// probe leaves a running agent alone.
import { connectAsync, type MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import { runCli, startAgent, type CliResult } from '../../helpers/cli.js';
import { writeConfig, type ConfigTree } from '../../helpers/config.js';
import { describeWithMosquitto, startMosquitto, type MosquittoHandle } from '../../helpers/mosquitto.js';
import { freePort } from '../../helpers/ports.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

const TOPICS: ConfigTree = { telemetry: [{ topic: 'plant/+line/+asset/telemetry' }], faults: [{ topic: 'plant/+line/+asset/fault' }] };

async function probeConfig(broker: MosquittoHandle, extra: ConfigTree = {}): Promise<string> {
  return writeConfig(await tempDir('probe'), { mqtt: { url: broker.url }, ...TOPICS, ...extra });
}

async function client(broker: MosquittoHandle): Promise<MqttClient> {
  const c = await connectAsync(broker.url, { protocolVersion: 5, clientId: `probe-test-${Math.random().toString(36).slice(2)}` });
  onCleanup(() => c.endAsync(true));
  return c;
}

/** Runs the probe while `publish` runs every 100 ms, from before it subscribes until it exits. */
async function probeWhile(config: string, seconds: number, publish: () => Promise<void>, env: Record<string, string> = {}): Promise<CliResult> {
  const state = { done: false };
  const result = runCli(['check-config', '--config', config, '--probe', '--for', `${seconds}s`], { env });
  void result.finally(() => (state.done = true));
  while (!state.done) {
    await publish();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return result;
}

describeWithMosquitto('faultline check-config --probe', () => {
  it('reports per entry the topics, the count, and whether samples would be stored or rejected, and why', async () => {
    const broker = await startMosquitto({ verboseLogs: false });
    const config = await probeConfig(broker);
    const c = await client(broker);
    const result = await probeWhile(config, 2, async () => {
      await c.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts: Date.now(), temperature: 71.5 }), { qos: 1 });
      await c.publishAsync('plant/line1/press2/telemetry', 'not json', { qos: 1 });
      await c.publishAsync('plant/line1/press2/telemetry', JSON.stringify({ ts: 1_000, temperature: 1 }), { qos: 1 });
      await c.publishAsync('plant/line1/press1/fault', '', { qos: 1 });
    });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^probe: connected to mqtt:\/\/127\.0\.0\.1:\d+ as faultline-probe-test-gw-/);
    expect(out).toMatch(/telemetry\[0\] plant\/\+line\/\+asset\/telemetry \(subscribed as plant\/\+\/\+\/telemetry\)\n {2}\d+ message\(s\) on 2 topic\(s\): /);
    expect(out).toMatch(/would be stored: 1 reading\(s\) of asset press1, line line1, at \S+Z: temperature=71\.5/);
    expect(out).toMatch(/sample plant\/line1\/press2\/telemetry "not json"\n {4}would be rejected, not_json: /);
    expect(out).toMatch(/would be rejected, too_old: 1970-01-01T00:16:40\.000Z is older than storage\.retention/);
    expect(out).toMatch(/faults\[0\] plant\/\+line\/\+asset\/fault [^\n]*\n {2}\d+ message\(s\) on 1 topic\(s\): plant\/line1\/press1\/fault/);
    expect(out).toMatch(/sample plant\/line1\/press1\/fault \(empty\)\n {4}would be stored: a fault of asset press1 at /);
    expect(out).not.toContain('nothing arrived');
  });

  it('says so clearly when nothing arrived, and still exits 0: the broker was reached', async () => {
    const broker = await startMosquitto({ verboseLogs: false });
    const result = await runCli(['check-config', '--config', await probeConfig(broker), '--probe', '--for', '1s']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('telemetry[0] plant/+line/+asset/telemetry (subscribed as plant/+/+/telemetry)\n  nothing arrived in 1 s');
    expect(result.stdout).toContain('nothing arrived on any configured topic in 1 s.');
  });

  it('exits 69 with the broker\'s refusal when the password is wrong', async () => {
    const broker = await startMosquitto({ verboseLogs: false, users: { faultline: 'right-password' } });
    const config = await probeConfig(broker, { mqtt: { url: broker.url, username: 'faultline' } });
    const result = await runCli(['check-config', '--config', config, '--probe', '--for', '1s'], { env: { FAULTLINE_MQTT_PASSWORD: 'wrong-password' } });
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/faultline check-config --probe: cannot connect to mqtt:\/\/127\.0\.0\.1:\d+: the broker refused this client as not authorized[^\n]*check mqtt\.username and the password/);
    expect(result.stderr + result.stdout).not.toContain('wrong-password');
  });

  it('exits 69 when no broker listens, and 78 for a bad config before trying', async () => {
    const dir = await tempDir('probe-none');
    const result = await runCli(['check-config', '--config', writeConfig(dir, { mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` } }), '--probe', '--for', '1s']);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/cannot connect to mqtt:\/\/127\.0\.0\.1:\d+: nothing accepts connections at 127\.0\.0\.1:\d+; is the broker running/);
    const bad = await runCli(['check-config', '--config', writeConfig(dir, { mqtt: { url: 'http://x' } }, 'bad.yaml'), '--probe']);
    expect(bad.code).toBe(78);
  });

  it('leaves a running agent alone: its own client id, a clean session, QoS 0, no status', async () => {
    const broker = await startMosquitto();
    const config = await probeConfig(broker);
    const agent = startAgent(config);
    await agent.waitForLog((l) => l.msg === 'subscribed', 15_000, 'that it subscribed');
    const c = await client(broker);
    let statuses = 0;
    c.on('message', (topic) => void (topic === 'faultline/test-gw/status' && statuses++));
    await c.subscribeAsync('faultline/test-gw/status', { qos: 1 });
    await waitUntil(() => statuses === 1, 5_000, 'the retained online status');

    let sent = 0;
    const result = await probeWhile(config, 1, async () => {
      await c.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts: Date.now() - 1_000_000 + sent++, temperature: 70 }), { qos: 1 });
    });
    expect(result.code, result.stderr).toBe(0);
    const probeId = /as (faultline-probe-\S+)/.exec(result.stdout)![1]!;
    // Mosquitto's log: the probe connected with a clean start (c1) and subscribed at QoS 0.
    expect(broker.logs()).toMatch(new RegExp(`New client connected from \\S+ as ${probeId} \\(p5, c1,`));
    expect(broker.logs()).toMatch(new RegExp(`Received SUBSCRIBE from ${probeId}\\n[^\\n]*plant/\\+/\\+/telemetry \\(QoS 0\\)`));
    // The agent kept its one connection, and no other status was published.
    await waitUntil(() => agent.logs.filter((l) => l.msg === 'connected to broker').length === 1 && statuses === 1, 2_000, 'nothing changed for the agent');
    expect(agent.logs.some((l) => l.msg === 'disconnected' || l.msg === 'broker connection problem')).toBe(false);
    expect((await agent.stop()).code).toBe(0);
  });
});
