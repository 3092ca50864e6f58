// Self-tests for test/helpers/mosquitto.ts and certs.ts against a real Mosquitto broker,
// and executable notes on how Mosquitto 2.0 reports TLS, auth, ACL and flow-control outcomes.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';
import { testCerts, type TestCerts } from '../../helpers/certs.js';
import {
  describeWithMosquitto,
  startMosquitto,
  type MosquittoHandle,
  type MosquittoOptions,
} from '../../helpers/mosquitto.js';
import { canConnect } from '../../helpers/ports.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitForEvent, waitUntil } from '../../helpers/wait.js';

const WAIT_MS = 5_000;

type Outcome = { ok: true; client: MqttClient } | { ok: false; error: Error & { code?: string | number } };

/** Connects once (no reconnects) and reports CONNACK success or the first error/close. */
function connect(url: string, options: IClientOptions = {}): Promise<Outcome> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: WAIT_MS, ...options });
  onCleanup(() => client.endAsync(true));
  return new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: new Error('no CONNACK within deadline') }), WAIT_MS);
    const settle = (outcome: Outcome): void => {
      clearTimeout(timer);
      resolve(outcome);
    };
    client.once('connect', () => settle({ ok: true, client }));
    client.once('error', (error) => settle({ ok: false, error }));
    client.once('close', () => settle({ ok: false, error: new Error('connection closed before CONNACK') }));
  });
}

async function connected(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const outcome = await connect(url, options);
  if (!outcome.ok) throw outcome.error;
  return outcome.client;
}

async function connectError(url: string, options: IClientOptions = {}): Promise<Outcome & { ok: false }> {
  const outcome = await connect(url, options);
  if (outcome.ok) throw new Error(`expected ${url} to refuse the connection, but it was accepted`);
  return outcome;
}

function pinned(certs: TestCerts, withClientCert = false): IClientOptions {
  const base: IClientOptions = { ca: readFileSync(certs.ca.cert), rejectUnauthorized: true };
  if (!withClientCert) return base;
  return { ...base, cert: readFileSync(certs.client.cert), key: readFileSync(certs.client.key) };
}

/** Collects messages; `received(topic)` lists payloads seen on that topic. */
function recordMessages(client: MqttClient): { received: (topic: string) => string[] } {
  const seen: Array<[string, string]> = [];
  client.on('message', (topic, payload) => seen.push([topic, payload.toString()]));
  return { received: (topic) => seen.filter(([t]) => t === topic).map(([, p]) => p) };
}

describeWithMosquitto('test helpers: mosquitto broker', () => {
  it('generates the test PKI once per process, quickly', async () => {
    const certs = await testCerts();
    expect(await testCerts()).toBe(certs);
    expect(readFileSync(certs.server.cert, 'utf8')).toContain('BEGIN CERTIFICATE');
    process.stderr.write(`[certs] test PKI generated in ${certs.generationMs} ms\n`);
    expect(certs.generationMs).toBeLessThan(5_000);
  });

  it('round-trips a plain publish/subscribe', async () => {
    const broker = await startMosquitto();
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    const sub = await connected(broker.url);
    await sub.subscribeAsync('plant/line1/temp', { qos: 1 });
    const pub = await connected(broker.url);
    const message = waitForEvent<[string, Buffer]>(sub, 'message', WAIT_MS);
    await pub.publishAsync('plant/line1/temp', '21.5', { qos: 1 });
    const [topic, payload] = await message;
    expect([topic, payload.toString()]).toEqual(['plant/line1/temp', '21.5']);
    expect(broker.logs()).toMatch(/Received PUBLISH from/);
  });

  it('stop() and kill() end the process; restart() keeps the same port', async () => {
    const broker = await startMosquitto();
    const { port } = broker;
    await broker.restart();
    expect(broker.port).toBe(port);
    expect(broker.logs()).toMatch(/mosquitto version \S+ terminating/);
    expect(await canConnect(port)).toBe(true);
    await broker.kill();
    expect(broker.running).toBe(false);
    expect(await canConnect(port)).toBe(false);
  });

  it('accepts a TLS client that pins the test CA', async () => {
    const broker = await startMosquitto({ plain: false, tls: {} });
    expect(broker.tlsUrl).toBe(`mqtts://127.0.0.1:${broker.tlsPort}`);
    expect(() => broker.url).toThrow(/no plain listener/);
    const client = await connected(broker.tlsUrl, pinned(broker.certs));
    expect(client.connected).toBe(true);
  });

  it('with requireClientCert, refuses a client without a cert and accepts one with it', async () => {
    const broker = await startMosquitto({ tls: { requireClientCert: true } });
    const refused = await connectError(broker.tlsUrl, pinned(broker.certs));
    expect(refused.error.code).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
    const client = await connected(broker.tlsUrl, pinned(broker.certs, true));
    expect(client.connected).toBe(true);
  });

  it('refuses a server cert from an unknown CA', async () => {
    const broker = await startMosquitto({ tls: { serverCert: 'other-ca' } });
    const { error } = await connectError(broker.tlsUrl, pinned(broker.certs));
    expect(error.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('refuses an expired server cert', async () => {
    const broker = await startMosquitto({ tls: { serverCert: 'expired' } });
    const { error } = await connectError(broker.tlsUrl, pinned(broker.certs));
    expect(error.code).toBe('CERT_HAS_EXPIRED');
  });

  it('refuses a server cert for another host name', async () => {
    const broker = await startMosquitto({ tls: { serverCert: 'wrong-host' } });
    const { error } = await connectError(broker.tlsUrl, pinned(broker.certs));
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('refuses a wrong password (v5 and v3.1.1) and anonymous clients', async () => {
    const broker = await startMosquitto({ users: { faultline: 's3cret' } });
    const v5 = await connectError(broker.url, { protocolVersion: 5, username: 'faultline', password: 'nope' });
    expect(v5.error.code).toBe(135); // 0x87 Not authorized (Mosquitto 2.0 does not use 0x86 here)
    const v4 = await connectError(broker.url, { protocolVersion: 4, username: 'faultline', password: 'nope' });
    expect(v4.error.code).toBe(5); // CONNACK return code 5, not authorized
    const anonymous = await connectError(broker.url, { protocolVersion: 5 });
    expect(anonymous.error.code).toBe(135);
    await connected(broker.url, { protocolVersion: 5, username: 'faultline', password: 's3cret' });
  });

  let aclBrokerPid: number | undefined;

  describe('ACLs (acl_file)', () => {
    const users = { faultline: 'f-pass', observer: 'o-pass' };
    const acl = 'user faultline\ntopic read plant/#\ntopic write faultline/#\n\nuser observer\ntopic readwrite #\n';
    let broker: MosquittoHandle;

    beforeAll(async () => {
      broker = await startMosquitto({ users, acl });
      aclBrokerPid = broker.pid;
    });

    const as = (user: keyof typeof users, protocolVersion: 4 | 5): Promise<MqttClient> =>
      connected(broker.url, { protocolVersion, username: user, password: users[user] });

    it('grants any subscription (SUBACK = requested QoS) but delivers only readable topics', async () => {
      for (const protocolVersion of [5, 4] as const) {
        const client = await as('faultline', protocolVersion);
        const granted = await client.subscribeAsync(['secret/#', 'plant/#'], { qos: 1 });
        expect(granted.map((g) => g.qos)).toEqual([1, 1]);
        const seen = recordMessages(client);
        const observer = await as('observer', 5);
        await observer.publishAsync('secret/door', 'open', { qos: 1 });
        await observer.publishAsync('plant/line1', 'barrier', { qos: 1 }); // delivered after secret/door
        await waitUntil(() => seen.received('plant/line1').length === 1, WAIT_MS, 'plant/line1 arrives');
        expect(seen.received('secret/door')).toEqual([]);
      }
    });

    it('denies a publish: PUBACK 0x87 for v5 QoS 1, silently for QoS 0 and for v3.1.1', async () => {
      const observer = await as('observer', 5);
      await observer.subscribeAsync('#', { qos: 1 });
      const seen = recordMessages(observer);
      const mark = broker.logMark();

      const v5 = await as('faultline', 5);
      await expect(v5.publishAsync('plant/forbidden', 'v5-qos1', { qos: 1 })).rejects.toMatchObject({ code: 135 });
      await v5.publishAsync('plant/forbidden', 'v5-qos0', { qos: 0 });
      const v4 = await as('faultline', 4);
      await expect(v4.publishAsync('plant/forbidden', 'v4-qos1', { qos: 1 })).resolves.toBeDefined();
      await v4.publishAsync('plant/forbidden', 'v4-qos0', { qos: 0 });
      expect(v4.connected && v5.connected).toBe(true); // nobody is disconnected for it

      // Barrier: an allowed message published after the denied ones reaches the observer last.
      await v4.publishAsync('faultline/ok', 'allowed', { qos: 1 });
      await waitUntil(() => seen.received('faultline/ok').length === 1, WAIT_MS, 'observer gets faultline/ok');
      expect(seen.received('plant/forbidden')).toEqual([]);
      await broker.waitForLog(/Denied PUBLISH from .*'plant\/forbidden'/, WAIT_MS, mark);
      const denials = broker.logs().slice(-20_000).match(/Denied PUBLISH/g) ?? [];
      expect(denials.length).toBeGreaterThanOrEqual(4);
    });
  });

  it('killed the broker started in the previous describe\'s beforeAll when that describe ended', () => {
    expect(aclBrokerPid).toBeGreaterThan(0);
    expect(() => process.kill(aclBrokerPid ?? 0, 0)).toThrow(/ESRCH/);
  });

  it('delivers a QoS 1 message queued for an offline persistent session after stop() + restart()', async () => {
    const broker = await startMosquitto({ persistence: true });
    const session: IClientOptions = {
      clientId: 'faultline-persistent',
      clean: false,
      protocolVersion: 5,
      properties: { sessionExpiryInterval: 3600 },
    };
    const first = await connected(broker.url, session);
    await first.subscribeAsync('plant/line1/alarm', { qos: 1 });
    await first.endAsync();

    const pub = await connected(broker.url);
    await pub.publishAsync('plant/line1/alarm', 'overheat', { qos: 1 });
    await pub.endAsync();

    await broker.stop();
    expect(broker.logs()).toMatch(/Saving in-memory database/);
    await broker.restart();

    const again = mqtt.connect(broker.url, { ...session, reconnectPeriod: 0 });
    onCleanup(() => again.endAsync(true));
    const connack = waitForEvent<[{ sessionPresent: boolean }]>(again, 'connect', WAIT_MS);
    const message = waitForEvent<[string, Buffer]>(again, 'message', WAIT_MS);
    const [{ sessionPresent }] = await connack;
    expect(sessionPresent).toBe(true);
    const [topic, payload] = await message;
    expect([topic, payload.toString()]).toEqual(['plant/line1/alarm', 'overheat']);
  });

  describe('outgoing QoS 1 flow control towards a subscriber that never acks', () => {
    interface Probe {
      protocolVersion: 4 | 5;
      receiveMaximum?: number;
      broker?: MosquittoOptions;
    }

    /** Publishes `total` QoS 1 messages to a subscriber that withholds every PUBACK; counts deliveries. */
    async function countUnackedDeliveries(probe: Probe, total: number): Promise<number> {
      const broker = await startMosquitto({ verboseLogs: false, ...probe.broker });
      const { protocolVersion, receiveMaximum } = probe;
      const properties = receiveMaximum === undefined ? {} : { properties: { receiveMaximum } };
      const sub = await connected(broker.url, { protocolVersion, ...properties });
      let delivered = 0;
      sub.handleMessage = (_packet: IPublishPacket, callback: (error?: Error) => void): void => {
        delivered++;
        callback(new Error('withholding PUBACK')); // mqtt.js then skips the PUBACK but keeps reading
      };
      await sub.subscribeAsync('flood/#', { qos: 1 });
      const pub = await connected(broker.url, { protocolVersion: 5 });
      for (let i = 0; i < total; i++) await pub.publishAsync(`flood/${i}`, String(i), { qos: 1 });
      // Barrier: the SUBACK is written after every PUBLISH mosquitto sent before it.
      await sub.subscribeAsync('barrier', { qos: 0 });
      return delivered;
    }

    // A v5 client's Receive Maximum replaces max_inflight_messages (it is not min()-ed with it);
    // max_inflight_messages only applies to v3.1.1 clients and v5 clients that omit the property.
    it.each<{ label: string; probe: Probe; expected: number }>([
      { label: 'v5 receiveMaximum 1000', expected: 1000, probe: { protocolVersion: 5, receiveMaximum: 1000 } },
      { label: 'v5 receiveMaximum 1000, max_inflight 5', expected: 1000, probe: { protocolVersion: 5, receiveMaximum: 1000, broker: { maxInflightMessages: 5 } } },
      { label: 'v5 receiveMaximum 1000, max_inflight 0', expected: 1000, probe: { protocolVersion: 5, receiveMaximum: 1000, broker: { maxInflightMessages: 0 } } },
      { label: 'v5 receiveMaximum 1000, max_queued 10', expected: 1000, probe: { protocolVersion: 5, receiveMaximum: 1000, broker: { maxQueuedMessages: 10 } } },
      { label: 'v5 receiveMaximum 10', expected: 10, probe: { protocolVersion: 5, receiveMaximum: 10 } },
      { label: 'v5 receiveMaximum 10, max_inflight 5', expected: 10, probe: { protocolVersion: 5, receiveMaximum: 10, broker: { maxInflightMessages: 5 } } },
      { label: 'v5 without Receive Maximum', expected: 20, probe: { protocolVersion: 5 } },
      { label: 'v5 without Receive Maximum, max_inflight 5', expected: 5, probe: { protocolVersion: 5, broker: { maxInflightMessages: 5 } } },
      { label: 'v3.1.1', expected: 20, probe: { protocolVersion: 4 } },
      { label: 'v3.1.1, max_inflight 5', expected: 5, probe: { protocolVersion: 4, broker: { maxInflightMessages: 5 } } },
    ])('$label: $expected unacked deliveries, then it stops', async ({ probe, expected }) => {
      expect(await countUnackedDeliveries(probe, 1100)).toBe(expected);
    });
  });
});
