// `faultline models use V` from a shell switches what a running agent serves: its predictions and
// the retained model card follow the registry without a restart.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { connectClient, describeEachBroker } from '../../helpers/brokers.js';
import { runCli } from '../../helpers/cli.js';
import { handModel, seedChampion } from '../../helpers/model.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { AGENT_ID, startIngestAgent } from '../ingest/agent.js';

describeEachBroker('switching the champion', (startBroker) => {
  it('follows `faultline models use` while running', async () => {
    const broker = await startBroker();
    const dir = await tempDir('champion');
    const dbPath = join(dir, 'faultline.db');
    const first = seedChampion(dbPath);
    const pessimist = handModel();
    const second = seedChampion(dbPath, { ...pessimist, ridge: { ...pessimist.ridge, intercept: pessimist.ridge.intercept - 1000 } });
    const { agent, configPath } = await startIngestAgent(dir, broker, { predictions: { min_interval: '1s' } });

    const client = await connectClient(broker);
    const cards: string[] = [];
    const models: string[] = [];
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/model')) cards.push(JSON.parse(payload.toString()).version);
      else models.push(JSON.parse(payload.toString()).model);
    });
    await client.subscribeAsync([`faultline/${AGENT_ID}/model`, 'plant/line1/press1/prediction'], { qos: 1 });
    await waitUntil(() => cards.at(-1) === second, 10_000, `the retained card of model ${second}`);

    let ts = Date.now() - 60 * 60_000;
    const publish = async (n: number) => {
      for (let i = 0; i < n; i++) await client.publishAsync('plant/line1/press1/telemetry', JSON.stringify({ ts: (ts += 60_000), temperature: 70 }), { qos: 1 });
    };
    await publish(12);
    await waitUntil(() => models.length >= 2, 10_000, 'predictions from the first champion');
    expect(new Set(models)).toEqual(new Set([second]));

    const use = await runCli(['models', 'use', first, '--config', configPath]);
    expect(use.code).toBe(0);
    await waitUntil(() => cards.at(-1) === first, 10_000, `the retained card switches to model ${first}`);
    await publish(2);
    await waitUntil(() => models.at(-1) === first, 10_000, `predictions come from model ${first}`);
    expect((await agent.stop()).code).toBe(0);
  });
});
