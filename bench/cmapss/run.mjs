// npm run bench:cmapss — NASA C-MAPSS FD001 and FD002, every training and test engine, through a real
// broker and the agent's own commands; scored like the papers (RUL capped at 125, last cycle of each
// test engine). Writes the result table into bench/README.md and README.md between markers.
// BENCH_CMAPSS_SETS=FD001 runs one set; FAULTLINE_MODEL__<KEY> overrides run a variant (printed only).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, table } from '../lib/stats.mjs';
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

const sets = (process.env.BENCH_CMAPSS_SETS ?? 'FD001,FD002').split(',');
const date = new Date().toISOString().slice(0, 10);
const rows = [];
const ours = {};
let broker = '';
let ok = true;
for (const set of sets) {
  const started = Date.now();
  const result = await runPipeline({ set, log: (line) => console.error(`${set}: ${line}`) });
  const s = score(result.predictions, undefined, set);
  const engines = new Set(readEngines(`test_${set}.txt`).map((r) => r[0])).size;
  const seconds = (Date.now() - started) / 1000;
  broker = result.broker;
  ours[set] = s.rmse;
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
  [['**faultline** (this run)', ...['FD001', 'FD002'].map((set) => (ours[set] === undefined ? '-' : `**${fmt(ours[set], 2)}**`))], ...PUBLISHED],
);
const section = [`<!-- cmapss:begin -->`, `Run ${date} with \`npm run bench:cmapss\` (broker: ${broker}):`, '', mine, '', compared, `<!-- cmapss:end -->`].join('\n');

console.log(`\nC-MAPSS through faultline\n\n${mine}\n\n${compared}\n`);
// A variant (a FAULTLINE_MODEL__* override, e.g. FAULTLINE_MODEL__FEATURES='[ewma, baseline, age, squares]')
// is printed, never written over the defaults' figures.
const variant = Object.keys(process.env).filter((name) => name.startsWith('FAULTLINE_MODEL__'));
if (variant.length > 0) console.log(`a variant (${variant.join(', ')}): README tables not updated`);
else if (sets.length === 2) {
  for (const file of ['../README.md', '../../README.md']) {
    const path = fileURLToPath(new URL(file, import.meta.url));
    const text = readFileSync(path, 'utf8');
    if (!/<!-- cmapss:begin -->[\s\S]*<!-- cmapss:end -->/.test(text)) {
      console.error(`${file}: no <!-- cmapss:begin/end --> markers; not updated`);
      continue;
    }
    writeFileSync(path, text.replace(/<!-- cmapss:begin -->[\s\S]*<!-- cmapss:end -->/, section));
  }
}
process.exit(ok ? 0 : 1);
