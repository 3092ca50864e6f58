// Fleet learning end to end (issue 15): three agents, each on its own line broker bridged to the
// plant, each with a third of nine presses, too few faults to train alone. They retrain on command
// in turn; their statistics go round through the bridges; once each has scored the fleet's fit,
// every one serves the coefficients of a lone agent that saw all nine presses' readings.
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import { openBuffer } from '../../helpers/brokers.js';
import { runCli, startAgent, type AgentProcess } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { HOUR, degradingLine, type LineMessage } from '../../helpers/degradation.js';
import { describeWithMosquitto } from '../../helpers/mosquitto.js';
import { startFleetBrokers } from '../../helpers/mosquitto-fleet.js';
import { tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';
import { client, subscribed } from '../hardening/harness.js';

const FLEET = 'presses';
const MODEL = { horizon: '2h', window: '10m', test_fraction: 0.2 };
const LINES = ['line1', 'line2', 'line3'];

interface Gateway {
  readonly id: string;
  readonly agent: AgentProcess;
  readonly dbPath: string;
  readonly configPath: string;
  readonly publisher: MqttClient;
}

interface StoredModel {
  version: number;
  status: string;
  card: Card;
  params: { ridge: { coef: number[]; intercept: number; featureNames: string[] }; alpha: number; recipe: { strideMs: number } };
}

interface Card {
  n_served: number;
  metrics: { challenger: { r2: number } };
  fleet: { fit: string; members: Array<{ agent: string; rows: number }>; calibration: { members: number } } | null;
}

async function startGateway(url: string, id: string, override: Record<string, unknown>, broker: Parameters<typeof client>[0]): Promise<Gateway> {
  const dir = await tempDir(`fleet-learn-${id}`);
  const configPath = writeConfig(dir, {
    agent: { id },
    mqtt: { url, protocol_version: 5, reconnect_min: '100ms', reconnect_max: '400ms' },
    telemetry: [{ topic: 'plant/+line/+asset/telemetry' }],
    faults: [{ topic: 'plant/+line/+asset/fault' }],
    schedule: { retrain: '0 0 1 1 *' },
    ...override,
  });
  const agent = startAgent(configPath);
  await subscribed(agent);
  return { id, agent, dbPath: join(dir, 'faultline.db'), configPath, publisher: await client(broker) };
}

async function feed(gateway: Gateway, messages: readonly LineMessage[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < messages.length) {
      const m = messages[next++]!;
      await gateway.publisher.publishAsync(m.topic, m.payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  const buffer = openBuffer(gateway.dbPath);
  const readings = messages.filter((m) => m.kind === 'telemetry').length * 2;
  const faults = messages.length - readings / 2;
  const stored = (): string => `${buffer.counter('readings')} readings, ${buffer.count('SELECT count(*) AS n FROM faults')} faults, ${buffer.count('SELECT count(*) AS n FROM dead_letters')} dead letters`;
  const want = `${readings} readings, ${faults} faults, 0 dead letters`;
  await waitUntil(() => stored() === want, 30_000, `${gateway.id} stores its history: ${want}`).catch((error: unknown) => {
    throw new Error(`${String(error)}; it has ${stored()}`);
  });
}

/** Retrains `gateway` on command and resolves once the run has ended (with or without a model). */
async function retrain(gateway: Gateway): Promise<void> {
  const ended = (): number => gateway.agent.logs.filter((l) => l.msg === 'retrain finished' || l.msg === 'retrain did not produce a model').length;
  const before = ended();
  await gateway.publisher.publishAsync(`faultline/${gateway.id}/cmd/retrain`, '', { qos: 1 });
  await waitUntil(() => ended() > before, 60_000, `${gateway.id}'s retrain`);
}

function models(gateway: Gateway): StoredModel[] {
  return openBuffer(gateway.dbPath)
    .all<{ version: number; status: string; card: string; params: string }>('SELECT version, status, card, params FROM models ORDER BY version')
    .map((row) => ({ ...row, card: JSON.parse(row.card) as Card, params: JSON.parse(row.params) as StoredModel['params'] }));
}

const relClose = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol * (1 + Math.abs(b));

describeWithMosquitto('fleet learning over bridged brokers', () => {
  it('brings three agents that cannot train alone to the model of one agent with all their presses', { timeout: 240_000 }, async () => {
    // Each broker queues a whole history burst for its agent, as for the other ingest tests.
    const burst = { maxQueuedMessages: 100_000, maxInflightMessages: 0 };
    const brokers = await startFleetBrokers({ lines: 3, line: burst, plant: burst });
    const start = Date.now() - 26 * HOUR;
    // Nine presses, three per line, four lives each.
    const history = LINES.map((line, i) => degradingLine({ assets: [1, 2, 3].map((n) => `press${3 * i + n}`), start, faultsPerAsset: 4, seed: 5 + i, line }));

    // The lone agent, on the plant broker, outside any fleet, sees every reading.
    const lone = await startGateway(brokers.plant.url, 'plant-gw', { model: { ...MODEL, min_samples: 50 } }, brokers.plant);
    await feed(lone, history.flat().sort((x, y) => x.ts - y.ts));
    await retrain(lone);
    const [want] = models(lone);
    expect(want?.status).toBe('champion');
    expect(want!.card.fleet).toBeNull();

    // Rare faults: no line has enough to fit alone, nor two lines together; the three have.
    const minSamples = Math.ceil(0.75 * want!.card.n_served);
    const fleet = { id: FLEET, share: true, learn: true };
    const gateways: Gateway[] = [];
    for (const [i, line] of LINES.entries()) {
      const gateway = await startGateway(brokers.urls[i]!, `${line}-gw`, { model: { ...MODEL, min_samples: minSamples }, fleet }, brokers.lines[i]!);
      await feed(gateway, history[i]!);
      gateways.push(gateway);
    }
    const alone = await runCli(['train', '--config', gateways[0]!.configPath], { env: { FAULTLINE_FLEET__LEARN: 'false' } });
    expect(alone.code, alone.stderr).toBe(3);
    expect(alone.stderr).toContain('not enough labelled data');

    const converged = (): boolean =>
      gateways.every((g) => {
        const all = models(g);
        const last = all.at(-1)?.card.fleet;
        const champion = all.find((m) => m.status === 'champion');
        return last !== undefined && last !== null && last.members.length === 3 && last.calibration.members === 3 && champion?.card.fleet?.fit === last.fit;
      });
    let rounds = 0;
    while (!converged() && rounds < 5) {
      rounds++;
      for (const gateway of gateways) {
        const sent = Date.now();
        await retrain(gateway);
        // What it shared reaches the other two through the plant before the next one retrains.
        for (const other of gateways.filter((g) => g !== gateway)) {
          const buffer = openBuffer(other.dbPath);
          await waitUntil(() => buffer.count('SELECT count(*) AS n FROM fleet_members WHERE agent = ? AND sent_at >= ?', gateway.id, sent) === 1, 15_000, `${gateway.id}'s statistics at ${other.id}`);
        }
      }
    }
    // Round 1 shares; round 2 fits under the fleet's recipe and scores it; round 3 sums the scores.
    expect(rounds).toBe(3);

    for (const gateway of gateways) {
      const champion = models(gateway).find((m) => m.status === 'champion')!;
      const { ridge } = champion.params;
      expect(ridge.featureNames).toEqual(want!.params.ridge.featureNames);
      expect(champion.params.recipe.strideMs).toBe(want!.params.recipe.strideMs);
      expect(champion.params.alpha).toBe(want!.params.alpha);
      ridge.coef.forEach((c, j) => expect(relClose(c, want!.params.ridge.coef[j]!, 1e-6), `${gateway.id} ${ridge.featureNames[j]}: ${c} vs ${want!.params.ridge.coef[j]}`).toBe(true));
      expect(relClose(ridge.intercept, want!.params.ridge.intercept, 1e-6)).toBe(true);
      const card = champion.card;
      expect(card.fleet!.members.map((m) => m.agent).sort()).toEqual(gateways.map((g) => g.id).sort());
      expect(card.fleet!.members[0]!.agent).toBe(gateway.id);
      expect(card.fleet!.members.reduce((sum, m) => sum + m.rows, 0)).toBe(want!.card.n_served);
      expect(card.metrics.challenger.r2).toBeGreaterThan(0.8);
    }
    for (const gateway of [lone, ...gateways]) expect((await gateway.agent.stop()).code).toBe(0);
    await brokers.stop();
  });
});
