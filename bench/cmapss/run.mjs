// npm run bench:cmapss — NASA C-MAPSS FD001, all 100 training and 100 test engines, through a real
// broker and the agent's own commands; scored like the papers (RUL capped at 125, last cycle of each
// test engine). Writes the result table into bench/README.md and README.md between markers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fmt, table } from '../lib/stats.mjs';
import { runPipeline, score } from './pipeline.mjs';

const PUBLISHED = [
  ['MLP', '37.56'],
  ['SVR', '20.96'],
  ['RVR', '23.80'],
  ['CNN (Babu 2016)', '18.45'],
  ['LSTM (Zheng 2017)', '16.14'],
  ['deep CNN (Li 2018)', 'about 12.6'],
  ['ridge on 30-cycle window features (reference)', 'about 14.8'],
];

const started = Date.now();
const result = await runPipeline({ log: (line) => console.error(line) });
const s = score(result.predictions);
const seconds = (Date.now() - started) / 1000;
const date = new Date().toISOString().slice(0, 10);

const ours = table(
  ['engines scored', 'RMSE (truth capped at 125)', 'RMSE (uncapped)', 'PHM08 score', 'model', 'wall time'],
  [[`${s.n} of 100`, fmt(s.rmse, 2), fmt(s.rmseUncapped, 2), fmt(s.phm, 0), `ridge, ${result.card.features.length} features, λ ${fmt(result.card.lambda, 1)}`, `${fmt(seconds, 0)} s`]],
);
const compared = table(['model', 'FD001 RMSE'], [['**faultline** (this run)', `**${fmt(s.rmse, 2)}**`], ...PUBLISHED]);
const section = [
  `<!-- cmapss:begin -->`,
  `Run ${date} with \`npm run bench:cmapss\` (broker: ${result.broker}):`,
  '',
  ours,
  '',
  compared,
  `<!-- cmapss:end -->`,
].join('\n');

console.log(`\nC-MAPSS FD001 through faultline\n\n${ours}\n\n${compared}\n`);
for (const file of ['../README.md', '../../README.md']) {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const text = readFileSync(path, 'utf8');
  if (!/<!-- cmapss:begin -->[\s\S]*<!-- cmapss:end -->/.test(text)) {
    console.error(`${file}: no <!-- cmapss:begin/end --> markers; not updated`);
    continue;
  }
  writeFileSync(path, text.replace(/<!-- cmapss:begin -->[\s\S]*<!-- cmapss:end -->/, section));
}
process.exit(s.n === 100 && s.rmse <= 15.5 && s.phm < 450 ? 0 : 1);
