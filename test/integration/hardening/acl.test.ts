// Issue 7, "Auth and TLS" (ACLs): when the broker's ACL denies faultline a topic, faultline says which
// publish or subscription was refused, with the MQTT 5 reason code, and keeps working on the rest.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openBuffer } from '../../helpers/brokers.js';
import { seedChampion } from '../../helpers/model.js';
import { describeWithMosquitto, startMosquitto } from '../../helpers/mosquitto.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { alive, client, hardeningConfig, launch, subscribed } from './harness.js';

const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

describeWithMosquitto('hardening: broker ACLs', () => {
  it("logs which prediction publish the broker's ACL refused (PUBACK 135) and keeps publishing the allowed ones", async () => {
    const users = { faultline: 'faultline-pw', tester: 'tester-pw' };
    // acl_file grants only what is listed: the prediction topic itself is not writable, its scalars are.
    const acl = [
      'user faultline',
      'topic read plant/+/+/telemetry',
      'topic read plant/+/+/fault',
      'topic readwrite faultline/#',
      'topic write plant/+/+/prediction/+',
      '',
      'user tester',
      'topic readwrite #',
    ].join('\n');
    const broker = await startMosquitto({ users, acl }); // verbose: Mosquitto logs each denied PUBLISH
    const dir = await tempDir('acl-publish');
    const dbPath = join(dir, 'faultline.db');
    seedChampion(dbPath);
    const { agent } = launch(dir, hardeningConfig(broker.url, { mqtt: { username: 'faultline' } }), { FAULTLINE_MQTT_PASSWORD: users.faultline });
    await subscribed(agent);

    const tester = await client(broker, { username: 'tester', password: users.tester });
    const received: string[] = [];
    tester.on('message', (topic) => received.push(topic));
    await tester.subscribeAsync('plant/+/+/prediction/#', { qos: 1 });
    const start = Date.now() - 60 * 60_000;
    const publish = async (from: number, to: number): Promise<void> => {
      for (let i = from; i < to; i++) {
        await tester.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts: start + i * 60_000, temperature: 70 }), { qos: 1 });
      }
    };
    // 12 readings a minute apart: the hand model's 10-minute window fills at the 11th.
    await publish(0, 12);
    const refused = await agent.waitForLog((l) => l.msg === 'publish refused by broker', 10_000, "'publish refused by broker'");
    expect(refused).toMatchObject({ level: 'warn', topic: 'plant/line1/press1/prediction', reasonCode: 135, reason: 'Not authorized' });
    await waitUntil(() => received.includes('plant/line1/press1/prediction/risk'), 10_000, 'the allowed /risk scalar arrives');
    expect(received.filter((t) => t === 'plant/line1/press1/prediction')).toEqual([]);

    // Many more predictions: each is refused once (dropped, not retried), and the log says so once.
    await publish(12, 40);
    await waitUntil(() => openBuffer(dbPath).counter('readings') === 40, 10_000, 'the 40 readings are stored');
    const denied = (): number => broker.logs().match(/Denied PUBLISH from faultline-test-gw .*'plant\/line1\/press1\/prediction'/g)?.length ?? 0;
    // Readings 11 to 40 each give a prediction: 30 publishes, 30 denials, no retries behind them.
    await waitUntil(() => denied() === 30, 15_000, `the broker denies the 30 prediction publishes (has ${denied()})`);
    await waitUntil(() => received.filter((t) => t === 'plant/line1/press1/prediction/risk').length === 30, 10_000, 'all 30 allowed /risk scalars');
    expect(denied()).toBe(30);
    expect(agent.logs.filter((l) => l.msg === 'publish refused by broker')).toHaveLength(1);
    expect(alive(agent)).toBe(true);
    expect((await agent.stop()).code).toBe(0);
  });

  // Mosquitto's acl_file never refuses a SUBSCRIBE (it grants it and filters delivery), so the
  // SUBACK-refusal path needs the dynamic-security plugin, which checks subscriptions.
  it.skipIf(!existsPlugin())("logs which subscription the broker refused (SUBACK 135, dynamic-security plugin) and ingests the others", async () => {
    const dir = await tempDir('acl-subscribe');
    const dynsec = join(dir, 'dynamic-security.json');
    writeFileSync(dynsec, JSON.stringify(dynamicSecurity()));
    const broker = await startMosquitto({ verboseLogs: false, extraConfig: `plugin ${DYNSEC_PLUGIN}\nplugin_opt_config_file ${dynsec}` });
    const dbPath = join(dir, 'faultline.db');
    const { agent } = launch(dir, hardeningConfig(broker.url));
    await subscribed(agent);
    const refusals = agent.logs.filter((l) => l.msg === 'subscription refused by broker; check its ACL for this topic');
    expect(refusals).toEqual([expect.objectContaining({ level: 'error', topic: 'plant/+/+/fault', reasonCode: 135, reason: 'Not authorized' })]);
    expect(agent.logs.find((l) => l.msg === 'subscribed')).toMatchObject({ topics: ['plant/+/+/telemetry', 'faultline/test-gw/cmd/retrain'] });

    const tester = await client(broker);
    await tester.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ temperature: 70 }), { qos: 1 });
    await waitUntil(() => openBuffer(dbPath).counter('readings') === 1, 10_000, 'the telemetry reading is stored');
    expect((await agent.stop()).code).toBe(0);
  });
});

function existsPlugin(): boolean {
  try {
    return statSync(DYNSEC_PLUGIN).isFile();
  } catch {
    return false;
  }
}

/** Anonymous clients may publish anything and subscribe to telemetry and commands, not to faults. */
function dynamicSecurity(): unknown {
  const allow = (acltype: string, topic: string) => ({ acltype, topic, allow: true, priority: 0 });
  return {
    defaultACLAccess: { publishClientSend: true, publishClientReceive: true, subscribe: false, unsubscribe: true },
    clients: [],
    groups: [{ groupname: 'anonymous', roles: [{ rolename: 'field', priority: 0 }], clients: [] }],
    roles: [{ rolename: 'field', acls: [allow('subscribePattern', 'plant/+/+/telemetry'), allow('subscribePattern', 'faultline/#')] }],
    anonymousGroup: 'anonymous',
  };
}
