// The whole loop through a real broker: history with faults in, a retrain on command, the retained
// model card, then live predictions for a new asset heading for a fault.
import type { IPublishPacket } from 'mqtt';
import { expect, it } from 'vitest';
import { connectClient, describeEachBroker, openBuffer } from '../../helpers/brokers.js';
import { HOUR, MINUTE, degradingLine, sensors, type LineMessage } from '../../helpers/degradation.js';
import { mulberry32, normal } from '../../../src/demo/random.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { AGENT_ID, startIngestAgent } from '../ingest/agent.js';

const MODEL = { horizon: '2h', window: '10m', min_samples: 200, test_fraction: 0.2 };
const PAYLOAD_KEYS = ['asset', 'contributions', 'history_s', 'horizon_s', 'level', 'line', 'model', 'risk', 'time_to_fault_s', 'ts'];

async function publishAll(client: Awaited<ReturnType<typeof connectClient>>, messages: LineMessage[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < messages.length) {
      const m = messages[next++]!;
      await client.publishAsync(m.topic, m.payload, { qos: 1 });
    }
  };
  // In flight, but in order per asset is not needed: the agent orders by event time.
  await Promise.all(Array.from({ length: 50 }, worker));
}

describeEachBroker('learning and predicting', (startBroker) => {
  it('trains on command, publishes the card retained, and warns before a new asset fails', async () => {
    const broker = await startBroker();
    const dir = await tempDir('loop');
    const { agent, dbPath } = await startIngestAgent(dir, broker, {
      model: MODEL,
      schedule: { retrain: '0 0 1 1 *' },
      predictions: { min_interval: '1s' },
    });
    const client = await connectClient(broker);
    const cards: Array<{ payload: Record<string, unknown>; packet: IPublishPacket }> = [];
    const predictions: Array<{ topic: string; payload: string; packet: IPublishPacket }> = [];
    client.on('message', (topic, payload, packet) => {
      if (topic === `faultline/${AGENT_ID}/model`) cards.push({ payload: JSON.parse(payload.toString()), packet });
      else predictions.push({ topic, payload: payload.toString(), packet });
    });
    await client.subscribeAsync([`faultline/${AGENT_ID}/model`, 'plant/line1/press9/prediction', 'plant/line1/press9/prediction/+'], { qos: 1 });

    // Five assets, four lives each, about a day of history at one reading a minute.
    const now = Date.now();
    const history = degradingLine({ assets: ['press1', 'press2', 'press3', 'lathe1', 'pump1'], start: now - 26 * HOUR, faultsPerAsset: 4, seed: 3 });
    await publishAll(client, history);
    const buffer = openBuffer(dbPath);
    const readings = history.filter((m) => m.kind === 'telemetry').length * 2;
    await waitUntil(() => buffer.counter('readings') === readings && buffer.count('SELECT count(*) AS n FROM faults') === 20, 30_000, 'the history is stored');

    await client.publishAsync(`faultline/${AGENT_ID}/cmd/retrain`, '', { qos: 1 });
    await waitUntil(() => cards.length > 0, 60_000, 'the retained model card');
    const card = cards.at(-1)!;
    expect(card.payload.promoted).toBe(true);
    const metrics = card.payload.metrics as { challenger: { r2: number; rmse: number }; baseline: { rmse: number } };
    expect(metrics.challenger.r2).toBeGreaterThan(0.8);
    expect(metrics.challenger.rmse).toBeLessThan(metrics.baseline.rmse);
    const stored = buffer.all<{ card: string; status: string }>('SELECT card, status FROM models WHERE version = ?', Number(card.payload.version));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.status).toBe('champion');
    expect(JSON.parse(stored[0]!.card)).toEqual(card.payload);

    // A new asset, never seen in training, three hours from a fault.
    const gauss = normal(mulberry32(99));
    const faultAt = now - 10 * MINUTE;
    const live: LineMessage[] = [];
    for (let t = faultAt - 3 * HOUR; t < faultAt; t += MINUTE) {
      live.push({ ts: t, asset: 'press9', kind: 'telemetry', topic: 'plant/line1/press9/telemetry', payload: JSON.stringify({ ts: t, ...sensors(faultAt - t, gauss) }) });
    }
    for (const m of live) await client.publishAsync(m.topic, m.payload, { qos: 1 });
    const jsonOf = () => predictions.filter((p) => p.topic === 'plant/line1/press9/prediction').map((p) => ({ ...p, body: JSON.parse(p.payload) as Record<string, unknown> }));
    await waitUntil(() => jsonOf().at(-1)?.body.ts === live.at(-1)!.ts, 30_000, 'the prediction for the last reading');

    const all = jsonOf();
    // A young asset is predicted from what exists: every reading gives a prediction, which says how
    // much history it rests on.
    expect(all.length).toBe(live.length);
    expect(all.map((p) => p.body.history_s)).toEqual(live.map((m) => (m.ts - live[0]!.ts) / 1000));
    for (const p of all) {
      expect(Object.keys(p.body).sort()).toEqual(PAYLOAD_KEYS);
      expect(p.packet.qos).toBe(1);
      expect(p.packet.retain).toBe(false);
      if (broker.protocolVersion === 5) expect(p.packet.properties?.messageExpiryInterval).toBeGreaterThan(0);
      const body = p.body as { ts: number; asset: string; line: string; time_to_fault_s: number; horizon_s: number; risk: number; level: string; model: string; contributions: Array<{ feature: string; value: number }> };
      expect(body.asset).toBe('press9');
      expect(body.line).toBe('line1');
      expect(body.horizon_s).toBe(7200);
      expect(body.model).toBe(card.payload.version);
      expect(body.risk).toBeCloseTo(1 - body.time_to_fault_s / 7200, 3);
      expect(body.contributions.length).toBe(3);
      expect(Math.abs(body.contributions[0]!.value)).toBeGreaterThanOrEqual(Math.abs(body.contributions[2]!.value));
    }
    const risks = all.map((p) => p.body.risk as number);
    const early = risks.slice(0, 30).reduce((a, b) => a + b, 0) / 30;
    const late = risks.slice(-15).reduce((a, b) => a + b, 0) / 15;
    expect(early).toBeLessThan(0.3);
    expect(late).toBeGreaterThan(0.7);
    const firstAlarm = all.find((p) => p.body.level === 'alarm');
    expect(firstAlarm).toBeDefined();
    expect(firstAlarm!.body.ts as number).toBeLessThan(faultAt - 10 * MINUTE);

    // Scalars: bare numbers on sub-topics, matching the JSON payload of the same prediction.
    const last = all.at(-1)!.body;
    await waitUntil(() => predictions.filter((p) => p.topic.endsWith('/level')).length === all.length, 10_000, 'the scalar messages');
    const scalar = (name: string) => predictions.filter((p) => p.topic === `plant/line1/press9/prediction/${name}`).at(-1)!;
    expect(Number(scalar('risk').payload)).toBe(last.risk);
    expect(Number(scalar('time_to_fault_s').payload)).toBe(last.time_to_fault_s);
    expect(scalar('level').payload).toBe(String(['ok', 'warning', 'alarm'].indexOf(last.level as string)));
    expect(scalar('risk').packet.qos).toBe(1);
    expect(scalar('risk').packet.retain).toBe(false);
    expect((await agent.stop()).code).toBe(0);
  });
});
