// Issue 7, "Auth and TLS": the real agent against a real Mosquitto. It gets in over mqtts:// with a
// pinned CA, with a client certificate, and with a username and password_file, and ingests; each way
// of being refused is logged with its cause and retried with capped backoff, never a crash.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openBuffer } from '../../helpers/brokers.js';
import type { AgentProcess, LogLine } from '../../helpers/cli.js';
import type { ServerCertKind } from '../../helpers/certs.js';
import { describeWithMosquitto, startMosquitto, type MosquittoHandle, type MosquittoOptions } from '../../helpers/mosquitto.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { alive, client, hardeningConfig, launch, logTime, subscribed } from './harness.js';

const PASSWORD = 'pw-of-the-faultline-user';

/** Publishes one reading and waits for its row in the agent's buffer. */
async function ingestsOne(broker: MosquittoHandle, dbPath: string, auth: { username?: string; password?: string } = {}): Promise<void> {
  const publisher = await client(broker, auth);
  const ts = Date.now() - 1_000;
  await publisher.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts, temperature: 71.5 }), { qos: 1 });
  const buffer = openBuffer(dbPath);
  const row = await waitUntil(
    () => buffer.all<{ ts: number; value: number }>("SELECT r.ts, r.value FROM readings r JOIN series s ON s.id = r.series_id WHERE s.sensor = 'temperature'")[0],
    10_000,
    'the reading is in the buffer',
  );
  expect(row).toEqual({ ts, value: 71.5 });
}

function passwordFile(dir: string, password: string): string {
  const file = join(dir, 'mqtt.password');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return file;
}

describeWithMosquitto('hardening: TLS and credentials against Mosquitto', () => {
  it('connects over mqtts:// pinning the CA (mqtt.ca) and ingests', async () => {
    const broker = await startMosquitto({ tls: {}, verboseLogs: false });
    const dir = await tempDir('tls-ca');
    const { agent, dbPath } = launch(dir, hardeningConfig(broker.tlsUrl, { mqtt: { ca: broker.certs.ca.cert } }));
    await subscribed(agent);
    await ingestsOne(broker, dbPath);
    expect((await agent.stop()).code).toBe(0);
  });

  it('connects with a client certificate (mqtt.cert, mqtt.key) where the broker requires one, and ingests', async () => {
    const broker = await startMosquitto({ tls: { requireClientCert: true }, verboseLogs: false });
    const { ca, client: pair } = broker.certs;
    const dir = await tempDir('tls-client-cert');
    const { agent, dbPath } = launch(dir, hardeningConfig(broker.tlsUrl, { mqtt: { ca: ca.cert, cert: pair.cert, key: pair.key } }));
    await subscribed(agent);
    await ingestsOne(broker, dbPath);
    expect((await agent.stop()).code).toBe(0);
  });

  it('connects with a username and password_file over TLS, and ingests', async () => {
    const broker = await startMosquitto({ tls: {}, users: { faultline: PASSWORD, tester: 'tester-pw' }, verboseLogs: false });
    const dir = await tempDir('tls-password');
    const { agent, dbPath } = launch(
      dir,
      hardeningConfig(broker.tlsUrl, { mqtt: { ca: broker.certs.ca.cert, username: 'faultline', password_file: passwordFile(dir, PASSWORD) } }),
    );
    await subscribed(agent);
    await ingestsOne(broker, dbPath, { username: 'tester', password: 'tester-pw' });
    expect((await agent.stop()).code).toBe(0);
  });

  // Backoff: reconnect_min 100ms doubling to reconnect_max 400ms, each wait jittered by ±20%.
  const refusals: Array<[string, MosquittoOptions, (b: MosquittoHandle, dir: string) => Record<string, unknown>, RegExp]> = [
    [
      'a wrong password',
      { users: { faultline: PASSWORD } },
      (b, dir) => ({ url: b.url, username: 'faultline', password_file: passwordFile(dir, 'not-the-password') }),
      /not authorized.*mqtt\.username.*password/,
    ],
    ['an unknown CA', tlsWith('other-ca'), (b) => ({ url: b.tlsUrl, ca: b.certs.ca.cert }), /not signed by a trusted CA; set mqtt\.ca/],
    ['an expired certificate', tlsWith('expired'), (b) => ({ url: b.tlsUrl, ca: b.certs.ca.cert }), /certificate has expired/],
    [
      'a missing client certificate',
      { tls: { requireClientCert: true } },
      (b) => ({ url: b.tlsUrl, ca: b.certs.ca.cert }),
      /requires a client certificate; set mqtt\.cert and mqtt\.key/,
    ],
    ['a host-name mismatch', tlsWith('wrong-host'), (b) => ({ url: b.tlsUrl, ca: b.certs.ca.cert }), /does not name 127\.0\.0\.1 \(host-name mismatch\); connect by a name the certificate lists/],
  ];

  it.each(refusals)('names the cause of %s, retries with capped backoff, and never exits', async (_name, brokerOptions, mqtt, cause) => {
    const broker = await startMosquitto({ ...brokerOptions, verboseLogs: false });
    const dir = await tempDir('refused');
    const { agent } = launch(dir, hardeningConfig('mqtt://unused', { mqtt: mqtt(broker, dir) }));
    const problems = await attempts(agent, 7);
    for (const line of problems) expect(String(line['cause'])).toMatch(cause);
    expectCappedBackoff(problems.map(logTime), 100, 400);
    expect(agent.logs.some((l) => l.msg === 'connected to broker')).toBe(false);
    expect(alive(agent)).toBe(true);
    expect((await agent.stop()).code).toBe(0);
  });
});

function tlsWith(serverCert: ServerCertKind): MosquittoOptions {
  return { plain: true, tls: { serverCert } };
}

/** Waits for `n` logged connection problems. */
async function attempts(agent: AgentProcess, n: number): Promise<LogLine[]> {
  const problems = (): LogLine[] => agent.logs.filter((l) => l.msg === 'broker connection problem');
  await waitUntil(() => problems().length >= n, 15_000, `${n} connection attempts are logged (have ${problems().length})`);
  return problems().slice(0, n);
}

/**
 * The gaps between attempts grow from about `min` and settle at about `max`: the first is well below
 * the cap, the later ones are at the cap (±20% jitter, plus the attempt's own time), none beyond it.
 */
function expectCappedBackoff(times: number[], min: number, max: number): void {
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const slack = 250; // the connection attempt itself (TLS handshake, CONNACK) on a loaded CI machine
  expect(gaps[0], `gaps ${gaps.join(', ')}`).toBeGreaterThanOrEqual(min * 0.8 - 5);
  expect(gaps[0], `gaps ${gaps.join(', ')}`).toBeLessThan(max * 0.8);
  for (const gap of gaps.slice(3)) {
    expect(gap, `gaps ${gaps.join(', ')}`).toBeGreaterThanOrEqual(max * 0.8 - 5);
    expect(gap, `gaps ${gaps.join(', ')}`).toBeLessThanOrEqual(max * 1.2 + slack);
  }
  // Growing: the average of the last three is at least twice the first.
  const tail = gaps.slice(-3).reduce((a, b) => a + b, 0) / 3;
  expect(tail, `gaps ${gaps.join(', ')}`).toBeGreaterThan(2 * gaps[0]!);
}
