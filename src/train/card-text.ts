// The model card and the model list as a technician reads them on a terminal. Text only; the JSON
// card (card.ts) stays the reference and is what `--json` prints.
import type { ModelCard } from './card.js';

const num = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '-' : v.toFixed(digits));
const pad = (cells: string[], widths: number[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => pad(r, widths));
}

/** A summary of a freshly trained model: verdict, metrics side by side, penalty, strongest features. */
export function formatCard(card: ModelCard, featureCount = 10): string {
  const m = card.metrics;
  const verdict = card.promoted ? 'PROMOTED: it is now the champion' : 'REJECTED: the champion stays';
  const lines = [
    `model ${card.version ?? '?'} trained ${card.trained_at} in ${num(card.duration_ms / 1000)} s: ${verdict}`,
    `  ${card.promotion}`,
    '',
    `held-out test period: ${card.episodes.test} episodes, ${card.n_test} samples (${new Date(m.test_period.first_ts).toISOString()} to ${new Date(m.test_period.last_ts).toISOString()})`,
    ...table([
      ['', 'RMSE s', 'MAE s', 'R²', 'samples'],
      ['challenger', num(m.challenger.rmse), num(m.challenger.mae), num(m.challenger.r2, 3), `${m.challenger.n} sampled`],
      ['baseline', num(m.baseline.rmse), num(m.baseline.mae), num(m.baseline.r2, 3), `${m.baseline.n} sampled`],
      ['linear score', num(m.from_sums.rmse), '', num(m.from_sums.r2, 3), `${m.from_sums.n} (all, from sums)`],
    ]).map((l) => `  ${l}`),
    m.champion === null
      ? '  champion: none to compare with'
      : `  champion ${m.champion.version}: RMSE ${num(m.champion.rmse)} s against ${num(m.champion.challenger_rmse_same_samples)} s for this model (${m.champion.method === 'unseen' ? `on ${m.champion.episodes} episodes it never saw` : 'refit on the same training episodes'})`,
    '',
    `trained on ${card.n_train} samples from ${card.episodes.train} episodes; serves the fit on ${card.n_served} samples`,
    `ridge lambda ${num(card.lambda, 3)} (${card.lambda_selection.reason})`,
    `horizon ${card.horizon_s} s, window ${card.window_s} s, stride ${card.stride_s} s, features ${card.recipe.features.join(', ')}${card.recipe.regimes > 1 ? `, ${card.recipe.regimes} operating regimes` : ''}`,
    ...(card.calibration ? [`calibrated: ${card.calibration.note}`] : []),
    ...fleetLines(card),
    '',
    `strongest of ${card.features.length} features (seconds per standard deviation; per unit):`,
    ...table(
      [...card.features]
        .sort((a, b) => Math.abs(b.coef_std) - Math.abs(a.coef_std))
        .slice(0, featureCount)
        .map((f) => [f.name, num(f.coef_std), f.coef.toPrecision(4)]),
    ).map((l) => `  ${l}`),
  ];
  if (card.notes.length > 0) lines.push('', 'notes:', ...card.notes.map((n) => `  - ${n}`));
  return `${lines.join('\n')}\n`;
}

/** Who the fleet's fit drew on, and who it left out and why. */
function fleetLines(card: ModelCard): string[] {
  const fleet = card.fleet;
  if (fleet === null) return [];
  return [
    `fleet: ${fleet.members.map((m) => `${m.agent} (${m.episodes} episodes, ${m.rows} samples)`).join(', ')}; λ chosen on ${fleet.lambda_rows} sampled rows, calibrated on ${fleet.calibration.rows} rows of ${fleet.calibration.members} members`,
    ...fleet.left_out.map((l) => `  left out: ${l.agent}: ${l.reason}`),
  ];
}

export interface ListedModel {
  readonly version: string;
  readonly status: string;
  readonly card: ModelCard;
}

/** One line per model: version, status, trained, n_train, test RMSE, λ. */
export function formatModelList(models: readonly ListedModel[]): string {
  if (models.length === 0) return 'no models yet; "faultline train" trains one once the buffer holds labelled history\n';
  const rows = [
    ['version', 'status', 'trained', 'n_train', 'test RMSE s', 'champion RMSE s', 'lambda'],
    ...models.map(({ version, status, card }) => [
      version,
      status,
      card.trained_at,
      String(card.n_train),
      num(card.metrics.challenger.rmse),
      card.metrics.champion === null ? '-' : `${num(card.metrics.champion.rmse)} (v${card.metrics.champion.version})`,
      num(card.lambda, 3),
    ]),
  ];
  return `${table(rows).join('\n')}\n`;
}
