// npm run bench:cmapss — NASA C-MAPSS FD001 and FD002, every training and test engine, through a real
// broker and the agent's own commands; scored like the papers (RUL capped at 125, last cycle of each
// test engine), then FD001 through a fleet of three agents (fleet.mjs) next to the one agent. Writes
// the result tables into bench/README.md and README.md between markers. BENCH_CMAPSS_SETS=FD001 runs
// one set; BENCH_CMAPSS_FLEET=N runs a fleet of N agents (0: none); FAULTLINE_MODEL__<KEY> overrides
// run a variant. Only the defaults' figures are written.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, table } from '../lib/stats.mjs';
import { runFleet } from './fleet.mjs';
import { readEngines, runPipeline, score } from './pipeline.mjs';

// Li, Ding, Sun (2018), Reliability Engineering & System Safety 172, table 5: RMSE on FD001 / FD002.
const PUBLISHED = [
  ['MLP', '37.56', '80.03'],
  ['SVR', '20.96', '42.00'],
  ['RVR', '23.80', '31.30'],
  ['CNN (Babu 2016)', '18.45', '30.29'],
  ['LSTM (Zheng 2017)', '16.14', '24.49'],
  ['deep CNN (Li 2018)', '12.61', '22.36'],
  ['ridge on 30-cycle window features (faultline before issue 14)', '14.83', '16.6'],
];
const TARGET_RMSE = 13.0;
/** Issue 15: each fleet agent's test RMSE within this of the one agent's with all the engines. */
const FLEET_TOLERANCE = 0.05;

const sets = (process.env.BENCH_CMAPSS_SETS ?? 'FD001,FD002').split(',');
const FLEET_AGENTS = Number(process.env.BENCH_CMAPSS_FLEET ?? 3);
if (!(Number.isInteger(FLEET_AGENTS) && FLEET_AGENTS >= 0)) throw new Error(`BENCH_CMAPSS_FLEET must be a number of agents (0: no fleet), got ${process.env.BENCH_CMAPSS_FLEET}`);
const date = new Date().toISOString().slice(0, 10);
const rows = [];
const single = {};
let broker = '';
let ok = true;
for (const set of sets) {
  const started = Date.now();
  const result = await runPipeline({ set, log: (line) => console.error(`${set}: ${line}`) });
  const s = score(result.predictions, undefined, set);
  const engines = new Set(readEngines(`test_${set}.txt`).map((r) => r[0])).size;
  const seconds = (Date.now() - started) / 1000;
  broker = result.broker;
  single[set] = { card: result.card, engines: result.trainEngines, predictions: result.predictions, score: s, seconds };
  ok &&= s.n === engines && s.rmse <= TARGET_RMSE;
  const card = result.card;
  rows.push([
    set,
    `${s.n} of ${engines}`,
    fmt(s.rmse, 2),
    fmt(s.rmseUncapped, 2),
    fmt(s.phm, 0),
    `ridge, ${card.features.length} features, λ ${fmt(card.lambda, 1)}, ${card.recipe.regimes} regime(s)${card.calibration ? ', calibrated' : ''}`,
    `${fmt(seconds, 0)} s`,
  ]);
}

const mine = table(['set', 'engines scored', 'RMSE (truth capped at 125)', 'RMSE (uncapped)', 'PHM08 score', 'model', 'wall time'], rows);
const compared = table(
  ['model', 'FD001 RMSE', 'FD002 RMSE'],
  [['**faultline** (this run)', ...['FD001', 'FD002'].map((set) => (single[set] === undefined ? '-' : `**${fmt(single[set].score.rmse, 2)}**`))], ...PUBLISHED],
);
const section = [`Run ${date} with \`npm run bench:cmapss\` (broker: ${broker}):`, '', mine, '', compared].join('\n');
console.log(`\nC-MAPSS through faultline\n\n${mine}\n\n${compared}\n`);

const fleet = FLEET_AGENTS > 0 && single.FD001 ? await fleetComparison(single.FD001) : null;
ok &&= fleet?.ok ?? true;

// A variant (a FAULTLINE_MODEL__* override, e.g. FAULTLINE_MODEL__FEATURES='[ewma, baseline, age, squares]')
// is printed, never written over the defaults' figures.
const variant = Object.keys(process.env).filter((name) => name.startsWith('FAULTLINE_MODEL__'));
if (variant.length > 0) console.log(`a variant (${variant.join(', ')}): README tables not updated`);
else if (sets.length === 2) {
  writeSection(['../README.md', '../../README.md'], 'cmapss', section);
  if (fleet !== null && FLEET_AGENTS === 3) writeSection(['../README.md'], 'cmapss-fleet', fleet.section);
}
process.exit(ok ? 0 : 1);

/** FD001 through a fleet of FLEET_AGENTS agents, printed next to `one`, the one agent's run; with the section for the README. */
async function fleetComparison(one) {
  const started = Date.now();
  const outcome = await runFleet({ set: 'FD001', agents: FLEET_AGENTS, log: (line) => console.error(`FD001 fleet: ${line}`) });
  const seconds = (Date.now() - started) / 1000;
  const rows = [['one agent', String(one.engines), '1', fmt(one.score.rmse, 3), '-', fmt(one.score.r2, 4), '-', fmt(one.card.lambda, 2), `${fmt(one.card.duration_ms / 1000, 1)} s`, `${fmt(one.seconds, 0)} s`]];
  let met = true;
  for (const agent of outcome.agents) {
    const s = score(agent.predictions, undefined, 'FD001');
    const delta = s.rmse - one.score.rmse;
    met &&= s.n === one.score.n && Math.abs(delta) <= FLEET_TOLERANCE;
    rows.push([
      `fleet agent ${agent.name}`,
      `${agent.engines} (id mod ${FLEET_AGENTS} = ${agent.residue})`,
      String(outcome.rounds),
      fmt(s.rmse, 3),
      `${delta >= 0 ? '+' : ''}${fmt(delta, 3)}`,
      fmt(s.r2, 4),
      coefficientDiff(agent.card, one.card).toExponential(1),
      fmt(agent.card.lambda, 2),
      `${fmt(agent.trainSeconds, 1)} s`,
      `${fmt(seconds, 0)} s (all ${FLEET_AGENTS})`,
    ]);
  }
  const spread = Math.max(...[...one.predictions.keys()].map((unit) => spreadOf(outcome.agents.map((a) => a.predictions.get(unit)))));
  const header = ['model', 'training engines', 'retrain rounds', 'test RMSE', 'vs one agent', 'test R²', 'coefficients vs one agent (max rel. diff)', 'λ', 'training time', 'wall time'];
  const rounds = `${outcome.rounds} round${outcome.rounds === 1 ? '' : 's'}`;
  const verdict = outcome.converged ? `converged in ${rounds}` : `NOT converged after ${rounds}`;
  const notes =
    `The fleet ${verdict}; its agents' test predictions differ by at most ${fmt(spread, 3)} s. ` +
    `Target, each agent's test RMSE within ±${FLEET_TOLERANCE} of the one agent's: ${met ? 'met' : 'missed'}.`;
  const result = `${table(header, rows)}\n\n${notes}`;
  console.log(`FD001: one agent with every training engine, and a fleet of ${FLEET_AGENTS} agents, each with the engines whose id mod ${FLEET_AGENTS} is its number\n\n${result}\n`);
  const section = `Run ${date} with \`npm run bench:cmapss\` (FD001; broker: ${outcome.broker}, one for the ${FLEET_AGENTS} fleet agents):\n\n${result}`;
  return { ok: outcome.converged && met, section };
}

/** The largest relative difference of a served coefficient or the intercept; Infinity when the features differ. */
function coefficientDiff(card, reference) {
  const coefficients = (c) => new Map([...c.features.map((f) => [f.name, f.coef]), ['(intercept)', c.intercept]]);
  const [ours, theirs] = [coefficients(card), coefficients(reference)];
  if (ours.size !== theirs.size) return Infinity;
  return Math.max(...[...theirs].map(([name, want]) => (ours.has(name) ? Math.abs(ours.get(name) - want) / Math.abs(want) : Infinity)));
}

function spreadOf(values) {
  return Math.max(...values) - Math.min(...values);
}

/** Replaces what is between `<!-- name:begin -->` and `<!-- name:end -->` in each file (paths from here). */
function writeSection(files, name, text) {
  const markers = new RegExp(`<!-- ${name}:begin -->[\\s\\S]*<!-- ${name}:end -->`);
  for (const file of files) {
    const path = fileURLToPath(new URL(file, import.meta.url));
    const current = readFileSync(path, 'utf8');
    if (!markers.test(current)) {
      console.error(`${file}: no <!-- ${name}:begin/end --> markers; not updated`);
      continue;
    }
    writeFileSync(path, current.replace(markers, () => `<!-- ${name}:begin -->\n${text}\n<!-- ${name}:end -->`));
  }
}
