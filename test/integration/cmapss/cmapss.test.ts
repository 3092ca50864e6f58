// A fast C-MAPSS FD001 run in CI: 40 training engines and 30 test engines through a real broker and
// the agent's own commands, scored like the full benchmark. Training is deterministic (RMSE 14.7
// and PHM08 5.1 per engine when recorded; the full sets score 12.6 and 11.6), so the loose bounds
// fail on a regression, not on noise. 40 engines are few for the default recipe's 92 features:
// the recipe before issue 14 scored 13.1 here but 14.8 on all engines.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module shared with `npm run bench:cmapss`
import { runPipeline, score } from '../../../bench/cmapss/pipeline.mjs';

// The subset is checked in (test/fixtures/cmapss), so CI does not depend on ../shared.
const DATA = fileURLToPath(new URL('../../fixtures/cmapss/', import.meta.url));
const TRAIN = Array.from({ length: 40 }, (_, i) => i + 1);
const TEST = Array.from({ length: 30 }, (_, i) => i * 3 + 1);

describe('C-MAPSS FD001 (40 training engines, 30 test engines)', () => {
  it('predicts remaining life within RMSE 16 of the truth capped at 125 (14.7 when recorded)', { timeout: 180_000 }, async () => {
    const result = await runPipeline({ dataDir: DATA, trainUnits: TRAIN, testUnits: TEST });
    const s = score(result.predictions, DATA);
    expect(s.n).toBe(TEST.length);
    expect(result.card.promoted).toBe(true);
    // Sensors that never vary are dropped by the agent itself (s1, s5, s10, s16, s18, s19 in FD001).
    const sensors = new Set((result.card.features as Array<{ name: string }>).map((f) => f.name.split('_')[0]));
    for (const constant of ['s1', 's5', 's10', 's16', 's18', 's19']) expect(sensors.has(constant)).toBe(false);
    expect(s.rmse).toBeLessThan(16);
    expect(s.phm / s.n).toBeLessThan(6);
  });
});
