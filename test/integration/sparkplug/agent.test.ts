// Sparkplug through the whole agent: a Tahu-encoded edge node's telemetry (births, aliases,
// alias-only DDATA) gives the same predictions as the same readings sent as JSON, and the agent's own
// Sparkplug output carries those predictions (decoded with Tahu).
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { connectClient, describeEachBroker, openBuffer } from '../../helpers/brokers.js';
import { seedChampion } from '../../helpers/model.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { startIngestAgent } from '../ingest/agent.js';
import { isNullFlag, Observer, metric, num, tahu } from './harness.js';

const MIN = 60_000;

describeEachBroker('Sparkplug through the agent', (startBroker) => {
  it('predicts the same from Sparkplug telemetry as from JSON, and publishes its predictions as DDATA', async () => {
    const broker = await startBroker();
    const dir = await tempDir('spb-agent');
    const version = seedChampion(join(dir, 'faultline.db'));
    const observer = await Observer.start(broker);
    const { agent } = await startIngestAgent(dir, broker, {
      telemetry: [{ topic: 'plant/+line/+asset/telemetry' }, { topic: 'spBv1.0/+/+/+/#', format: 'sparkplug' }],
      sparkplug: { enabled: true, group_id: 'plant1', edge_node_id: 'gw1' },
    });
    await observer.next('NBIRTH/gw1', 0, "the agent's NBIRTH");

    const client = await connectClient(broker);
    const predictions: Array<{ asset: string; body: Record<string, number | string> }> = [];
    client.on('message', (topic, payload) => predictions.push({ asset: topic.split('/')[2]!, body: JSON.parse(payload.toString()) }));
    await client.subscribeAsync('plant/plant1/+/prediction', { qos: 1 });

    const start = Date.now() - 30 * MIN;
    const temperature = (i: number) => 70 + i * 0.5;
    // Another edge node, plc7, with a device pressS whose temperature has alias 1.
    const spb = (type: string, device: string | null, ts: number, seq: number, metrics: object[]) =>
      client.publishAsync(`spBv1.0/plant1/${type}/plc7${device ? `/${device}` : ''}`, Buffer.from(tahu.encodePayload({ timestamp: ts, seq, metrics: metrics as never })), { qos: 0 });
    await spb('NBIRTH', null, start, 0, [{ name: 'bdSeq', type: 'UInt64', value: 0 }]);
    await spb('DBIRTH', 'pressS', start, 1, [{ name: 'temperature', alias: 1, type: 'Double', value: temperature(0), timestamp: start }]);
    await client.publishAsync('plant/plant1/pressJ/telemetry', JSON.stringify({ ts: start, temperature: temperature(0) }), { qos: 1 });
    for (let i = 1; i < 20; i++) {
      const ts = start + i * MIN;
      await spb('DDATA', 'pressS', ts, (i + 1) % 256, [{ alias: 1, type: 'Double', value: temperature(i), timestamp: ts }]);
      await client.publishAsync('plant/plant1/pressJ/telemetry', JSON.stringify({ ts, temperature: temperature(i) }), { qos: 1 });
    }

    const of = (asset: string) => predictions.filter((p) => p.asset === asset).map((p) => p.body);
    await waitUntil(() => of('pressS').length === 10 && of('pressJ').length === 10, 15_000, '10 predictions for each asset');
    const strip = (body: Record<string, number | string>) => ({ ts: body.ts, risk: body.risk, time_to_fault_s: body.time_to_fault_s, level: body.level, model: body.model });
    expect(of('pressS').map(strip)).toEqual(of('pressJ').map(strip));
    expect(of('pressS')[0]!.model).toBe(version);

    // The agent's own Sparkplug output: DDATA for device pressJ carrying the same numbers.
    const last = of('pressJ').at(-1)!;
    const ddata = await waitUntil(
      () => observer.since(0).filter((m) => m.topic === 'spBv1.0/plant1/DDATA/gw1/pressJ').find((m) => num(metric(m, 'risk').timestamp) === last.ts),
      10_000,
      'the DDATA of the last prediction',
    );
    expect(metric(ddata, 'risk').value).toBeCloseTo(last.risk as number, 3);
    expect(metric(ddata, 'time_to_fault_s').value).toBeCloseTo(last.time_to_fault_s as number, 0);
    // DDATA carries what changed; the device's birth certificate names the model.
    const birth = observer.since(0).find((m) => m.topic === 'spBv1.0/plant1/DBIRTH/gw1/pressJ');
    expect(birth && metric(birth, 'model_version').value).toBe(version);
    // pressS came in through another edge node; faultline re-publishes it as a device of its own.
    expect(observer.since(0).some((m) => m.topic === 'spBv1.0/plant1/DBIRTH/gw1/pressS')).toBe(true);
    expect((await agent.stop()).code).toBe(0);
  });

  it('births with is_null before a first model, and a rebirth carries the readings stored by then', async () => {
    const broker = await startBroker();
    const dir = await tempDir('spb-agent-births');
    const observer = await Observer.start(broker);
    const { agent, dbPath } = await startIngestAgent(dir, broker, { sparkplug: { enabled: true, group_id: 'plant1', edge_node_id: 'gw1' } });
    const first = await observer.next('NBIRTH/gw1', 0, "the agent's NBIRTH");
    for (const name of ['model_version', 'rmse']) {
      expect(metric(first, name).value).toBeNull();
      expect(isNullFlag(first, name)).toBe(true);
    }
    expect(num(metric(first, 'readings_stored').value)).toBe(0);

    const client = await connectClient(broker);
    const start = Date.now() - 30 * MIN;
    for (let i = 0; i < 40; i++) {
      await client.publishAsync('plant/plant1/press1/telemetry', JSON.stringify({ ts: start + i * 1000, temperature: 70 + i / 10 }), { qos: 1 });
    }
    const buffer = openBuffer(dbPath);
    await waitUntil(() => buffer.counter('readings') === 40, 10_000, 'the 40 readings are stored');

    const asked = observer.mark;
    const rebirth = tahu.encodePayload({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
    await client.publishAsync('spBv1.0/plant1/NCMD/gw1', Buffer.from(rebirth), { qos: 0 });
    const reborn = await observer.next('NBIRTH/gw1', asked, 'the NBIRTH after the rebirth request');
    expect(num(metric(reborn, 'readings_stored').value)).toBe(40);
    expect(isNullFlag(reborn, 'model_version')).toBe(true);
    expect((await agent.stop()).code).toBe(0);
  });
});
