// Issue 7, "Secrets": an inline password in a file others can read draws a warning from the running
// agent, and a whole session (TLS, credentials, ingest, a retrain, /metrics, check-config, status, a
// reload, stop) never shows the password anywhere: logs, stderr, CLI output, metrics, the model card.
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openBuffer } from '../../helpers/brokers.js';
import { runCli, startAgent } from '../../helpers/cli.js';
import { writeConfig, type ConfigTree } from '../../helpers/config.js';
import { HOUR, MINUTE, degradingLine } from '../../helpers/degradation.js';
import { describeWithMosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { AGENT_ID, allOutput, client, hardeningConfig, httpPort, launch, subscribed } from './harness.js';

const secret = (): string => `pw-${randomBytes(8).toString('hex')}-do-not-print`;

describeWithMosquitto('hardening: secrets', () => {
  it('warns at startup about an inline password in a group/other-readable config, without printing it', async () => {
    const password = secret();
    const broker = await startMosquitto({ users: { faultline: password }, verboseLogs: false });
    const dir = await tempDir('inline-password');
    const configPath = writeConfig(dir, hardeningConfig(broker.url, { mqtt: { username: 'faultline', password } }));
    chmodSync(configPath, 0o640);
    // The warning points at the password's own line and column (after "password: ").
    const lines = readFileSync(configPath, 'utf8').split('\n');
    const line = lines.findIndex((l) => /^\s*password:/.test(l));
    const col = (lines[line] ?? '').indexOf('password:') + 'password: '.length + 1;
    const agent = startAgent(configPath);
    const warning = await agent.waitForLog((l) => l.msg === 'config warning', 10_000, "'config warning'");
    expect(line).toBeGreaterThan(0);
    expect(warning).toMatchObject({
      level: 'warn',
      problem: `${configPath}:${line + 1}:${col} mqtt.password: is inline in a file that others can read (mode 640); move it to mqtt.password_file or run chmod 600 ${configPath}`,
    });
    await subscribed(agent); // the inline password works; it is only a warning
    expect((await agent.stop()).code).toBe(0);
    expect(allOutput(agent)).not.toContain(password);
  });

  it.each([
    ['mqtt.password_file', 'file'],
    ['FAULTLINE_MQTT_PASSWORD', 'env'],
  ] as const)('never shows a password from %s: a full session grepped for it', async (_name, source) => {
    const password = secret();
    const broker = await startMosquitto({ tls: {}, users: { faultline: password, tester: 'tester-pw' }, verboseLogs: false });
    const dir = await tempDir(`secret-${source}`);
    const passwordFile = join(dir, 'mqtt.password');
    if (source === 'file') writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    const env: Record<string, string> = source === 'env' ? { FAULTLINE_MQTT_PASSWORD: password } : {};
    const config = (keepalive: string): ConfigTree =>
      hardeningConfig(broker.tlsUrl, {
        mqtt: { ca: broker.certs.ca.cert, username: 'faultline', keepalive, ...(source === 'file' ? { password_file: passwordFile } : {}) },
        http: { listen: '127.0.0.1:0' },
        log: { level: 'trace' }, // the most the agent ever says
        model: { horizon: '1h', window: '10m', stride: '2m', features: ['mean', 'slope'], min_samples: 50 },
        schedule: { retrain: '0 0 1 1 *' },
      });
    const { agent, dbPath, configPath } = launch(dir, config('5s'), env);
    await subscribed(agent);
    const loaded = agent.logs.find((l) => l.msg === 'config loaded') as { config: { mqtt: { password: unknown } } } | undefined;
    expect(loaded?.config.mqtt.password).toBe('********'); // it was there, and masked

    // Ingest a small history with faults, then retrain on command: the card is published retained.
    const tester = await client(broker, { username: 'tester', password: 'tester-pw' });
    const cards: string[] = [];
    tester.on('message', (topic, payload) => topic === `faultline/${AGENT_ID}/model` && cards.push(payload.toString()));
    await tester.subscribeAsync(`faultline/${AGENT_ID}/model`, { qos: 1 });
    const history = degradingLine({ assets: ['press1', 'press2'], start: Date.now() - 12 * HOUR, faultsPerAsset: 3, lifeMs: 3 * HOUR, stepMs: 2 * MINUTE, seed: 5 });
    for (const m of history) await tester.publishAsync(m.topic, m.payload, { qos: 1 });
    const buffer = openBuffer(dbPath);
    await waitUntil(() => buffer.count('SELECT count(*) AS n FROM faults') === 6, 15_000, 'the history is stored');
    await tester.publishAsync(`faultline/${AGENT_ID}/cmd/retrain`, '', { qos: 1 });
    await waitUntil(() => cards.length > 0, 30_000, 'the retained model card');

    const base = `http://127.0.0.1:${await httpPort(agent)}`;
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('faultline_readings_stored_total');
    const health = await (await fetch(`${base}/healthz`)).text();
    const checked = await runCli(['check-config', '--config', configPath], { env });
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('password: "********"');
    const status = await runCli(['status', '--json', '--config', configPath], { env });
    expect(status.code).toBe(0);

    // A reload that restarts the MQTT connection (and so reads the password again).
    writeConfig(dir, config('6s'));
    agent.child.kill('SIGHUP');
    await agent.waitForLog((l) => l.msg === 'config reloaded', 10_000, "'config reloaded'");
    await subscribed(agent, 1);
    expect((await agent.stop()).code).toBe(0);

    const everything = [allOutput(agent), checked.stdout, checked.stderr, status.stdout, status.stderr, metrics, health, ...cards].join('\n');
    expect(everything.length).toBeGreaterThan(10_000); // a real session was captured
    expect(everything).not.toContain(password);
    // Nor is it kept in the buffer or its WAL.
    for (const file of readdirSync(dir).filter((f) => f.startsWith('faultline.db'))) {
      expect(readFileSync(join(dir, file)).includes(password), file).toBe(false);
    }
  });
});
