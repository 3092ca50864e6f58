// C-MAPSS through a fleet (issue 15): N agents (3 in the bench) on one broker, each with its own buffer
// and only the training engines whose id mod N is its number, fleet share and learn on. They retrain
// on command in turn until each serves the fleet's fit; then each predicts every test engine. One
// broker is enough here: the bridges between line brokers are proven by test/integration/fleet/learn.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { CONFIG, DATA, cli, cycleZero, predictTest, readEngines, replayTraining, startAgent, startAnyBroker, stepper, until } from './pipeline.mjs';

const FLEET = 'cmapss';
/** Round 1 shares, round 2 fits under the fleet's recipe and scores it, round 3 sums the scores: 3 expected. */
const MAX_ROUNDS = 6;

/** Resolves with each agent's champion card and test predictions, and the rounds it took. */
export async function runFleet({ set = 'FD001', agents = 3, dataDir = DATA, log = () => undefined } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-cmapss-fleet-'));
  const broker = await startAnyBroker();
  const members = [];
  let commander = null;
  const step = stepper(log);
  try {
    for (let k = 0; k < agents; k++) {
      const name = `mod${agents}-${k}`;
      const extra = { FAULTLINE_AGENT__ID: name, FAULTLINE_FLEET__ID: FLEET, FAULTLINE_FLEET__SHARE: 'true', FAULTLINE_FLEET__LEARN: 'true' };
      members.push(await startAgent({ broker, dir, name, root: name, extra }));
    }
    const origin = cycleZero();
    const trainRows = readEngines(`train_${set}.txt`, null, dataDir);
    const engines = [];
    for (const [k, agent] of members.entries()) {
      engines.push(await replayTraining(agent, trainRows.filter((r) => r[0] % agents === k), origin));
      step(`${agent.name}: ${engines[k]} training engines replayed`);
    }

    commander = await mqtt.connectAsync(broker.url, { protocolVersion: broker.protocol });
    let rounds = 0;
    let state = await fleetState(members);
    while (!state.converged && rounds < MAX_ROUNDS) {
      rounds++;
      for (const agent of members) {
        const sent = Date.now();
        await retrain(agent, commander);
        // What it shared is stored by the others before the next one retrains.
        for (const other of members.filter((m) => m !== agent)) {
          await until(async () => (await memberSentAt(other, agent.name)) >= sent, 30_000, `${agent.name}'s statistics stored at ${other.name}`);
        }
      }
      state = await fleetState(members);
      step(`round ${rounds}: ${state.summary}`);
    }

    const testRows = readEngines(`test_${set}.txt`, null, dataDir);
    const results = [];
    for (const [k, agent] of members.entries()) {
      const { champion, trainSeconds } = state.agents[k];
      if (!champion) throw new Error(`${agent.name} has no champion after ${rounds} rounds`);
      await agent.serving(champion.version);
      const predictions = await predictTest(agent, testRows, origin);
      step(`${agent.name}: test set replayed, ${predictions.size} engines predicted by model ${champion.version}`);
      results.push({ name: agent.name, residue: k, engines: engines[k], card: champion, trainSeconds, predictions });
    }
    return { rounds, converged: state.converged, agents: results, timings: step.timings, broker: broker.kind };
  } finally {
    await commander?.endAsync();
    for (const agent of members) await agent.stop();
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Retrains `agent` with its retrain command; resolves once the run has ended, with or without a model. */
async function retrain(agent, client) {
  const ended = () => agent.logs().filter((l) => l.msg === 'retrain finished' || l.msg === 'retrain did not produce a model').length;
  const before = ended();
  await client.publishAsync(`faultline/${agent.name}/cmd/retrain`, '', { qos: 1 });
  await until(() => ended() > before, 120_000, `${agent.name}'s retrain`);
}

/** When `agent` last shared statistics that `other` has stored (`faultline fleet`); -Infinity before. */
async function memberSentAt(other, agent) {
  const report = JSON.parse((await cli(['fleet', '--json', '--config', CONFIG], other.env)).stdout);
  return report.members.find((m) => m.agent === agent)?.sent_at ?? -Infinity;
}

/**
 * Converged: each agent's latest fit used all members' episodes and was calibrated by all of them,
 * and its champion serves that fit (`faultline models`). With each agent's champion card and the
 * seconds all its retrains took.
 */
async function fleetState(members) {
  const agents = [];
  const parts = [];
  let converged = true;
  for (const agent of members) {
    const models = JSON.parse((await cli(['models', '--json', '--config', CONFIG], agent.env)).stdout);
    const last = models.at(-1)?.card.fleet;
    const champion = models.find((m) => m.status === 'champion');
    converged &&= last != null && last.members.length === members.length && last.calibration.members === members.length && champion?.card.fleet?.fit === last.fit;
    agents.push({ champion: champion ? { ...champion.card, version: champion.version } : null, trainSeconds: models.reduce((sum, m) => sum + m.card.duration_ms, 0) / 1000 });
    parts.push(`${agent.name} ${models.length} model(s), champion ${champion?.version ?? 'none'} (${last ? `${last.members.length} members, calibrated by ${last.calibration.members}` : 'no fleet fit'})`);
  }
  return { converged, agents, summary: parts.join('; ') };
}
