// Where a benchmark keeps its raw results: bench/results/<kind>-<time>.json (not committed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Writes `results` (with an ISO time `at`) and prints where. */
export function saveResults(kind, results) {
  mkdirSync(DIR, { recursive: true });
  const file = `${DIR}${kind}-${results.at.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nraw results: ${file}`);
}
