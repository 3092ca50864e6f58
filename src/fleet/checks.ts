// What the values of a well-shaped statistics message must satisfy together: an episode's times,
// rows and Gram, the basis's moments and regimes, the aggregates' grids. Pure; each check returns
// the first defect it finds, or null. codec.ts runs them in order.
import { unpackGram, DEFAULT_MAX_ABS, type GramDefect } from '../learn/gram-codec.js';
import type { Gram } from '../learn/gram.js';
import type { RegimeModel } from '../learn/regimes.js';
import { REGIME_K_MAX } from '../learn/regimes.js';
import { CALIBRATION_BINS, MIN_SHARED_ROWS, type RecipeBasis, type RowAggregates, type SharedEpisode } from './types.js';
import type { WireEpisode } from './wire.js';

export type Found<R extends string> = { readonly reason: R; readonly detail: string } | null;

export type EpisodeDefect = 'episode_times' | 'few_rows' | 'bad_field' | 'rows_mismatch' | `gram_${GramDefect}`;

/** The episode with its Gram unpacked, if its times, rows and sums hold together under a recipe of p features. */
export function readEpisode(e: WireEpisode, at: string, p: number): { episode: SharedEpisode } | NonNullable<Found<EpisodeDefect>> {
  if (e.start > e.end) return { reason: 'episode_times', detail: `${at}: starts at ${e.start}, after its end ${e.end}` };
  // Sums of a few rows come too close to the readings themselves (types.ts).
  if (e.rows < MIN_SHARED_ROWS) return { reason: 'few_rows', detail: `${at}: ${e.rows} rows; an episode is shared from ${MIN_SHARED_ROWS}` };
  const bytes = fromBase64(e.gram);
  if (bytes === null) return { reason: 'bad_field', detail: `${at}.gram: not base64` };
  const unpacked = unpackGram(bytes, p);
  if ('reason' in unpacked) return { reason: `gram_${unpacked.reason}`, detail: `${at}.gram: ${unpacked.detail}` };
  const gram: Gram = unpacked.gram;
  if (gram.n !== e.rows) return { reason: 'rows_mismatch', detail: `${at}: claims ${e.rows} rows, its sums are over ${gram.n}` };
  return { episode: { asset: e.asset, key: e.key, start: e.start, end: e.end, rows: e.rows, gram } };
}

/**
 * The bytes of padded base64 text, or null. Node's decoder skips what is not base64, so text with
 * anything else in it decodes short; comparing lengths costs nothing, a regular expression over
 * megabytes of Grams a tenth of a second.
 */
function fromBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0) return null;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : null;
}

/**
 * Welford moments of real readings: a whole count, a spread that is not negative, and values no
 * sensor reaches (learn/gram-codec.ts's bound), so that merging them cannot overflow. One row
 * per regime (at most REGIME_K_MAX, one when momentsIn names none), one column per sensor.
 */
export function momentsDefect(basis: RecipeBasis): Found<'bad_moments'> {
  const { moments, sensors, momentsIn } = basis;
  const bad = (detail: string): Found<'bad_moments'> => ({ reason: 'bad_moments', detail });
  if (moments.length < 1 || moments.length > REGIME_K_MAX) return bad(`basis.moments has ${moments.length} regimes; between 1 and ${REGIME_K_MAX}`);
  if (momentsIn === '' && moments.length !== 1) return bad(`basis.moments has ${moments.length} regimes, but momentsIn names no regime model`);
  for (const [r, row] of moments.entries()) {
    if (row.length !== sensors.length) return bad(`basis.moments[${r}] has ${row.length} sensors; basis.sensors has ${sensors.length}`);
    for (const [j, { n, mean, m2 }] of row.entries()) {
      const at = `basis.moments[${r}][${j}]`;
      if (!Number.isSafeInteger(n) || n < 0) return bad(`${at}.n is ${n}, not a count`);
      if (m2 < 0) return bad(`${at}.m2 is ${m2}, below 0`);
      if (Math.abs(mean) > DEFAULT_MAX_ABS || m2 > n * (2 * DEFAULT_MAX_ABS) ** 2) return bad(`${at}: mean ${mean} and m2 ${m2} are beyond what ${n} readings within ±${DEFAULT_MAX_ABS} give`);
    }
  }
  return null;
}

/** A regime model regimeOf can use: its used fields exist, spreads are above 0, and every centroid has one value per used field. */
export function regimesDefect(model: RegimeModel | null, at: string): Found<'bad_regimes'> {
  if (model === null) return null;
  const bad = (detail: string): Found<'bad_regimes'> => ({ reason: 'bad_regimes', detail: `${at}: ${detail}` });
  const d = model.used.length;
  if (model.used.some((t) => t >= model.fields.length)) return bad(`uses a field beyond its ${model.fields.length}`);
  if (model.mean.length !== d || model.std.length !== d) return bad(`${model.mean.length} means and ${model.std.length} spreads for ${d} used fields`);
  if (model.std.some((s) => !(s > 0))) return bad('a used field has no spread');
  if (model.centroids.length < 1 || model.centroids.length > REGIME_K_MAX) return bad(`${model.centroids.length} regimes; between 1 and ${REGIME_K_MAX}`);
  if (model.centroids.some((c) => c.length !== d)) return bad(`a centroid without one value per used field (${d})`);
  return null;
}

/** Arrays that follow the message's own α grid, and calibrations in CALIBRATION_BINS bins whose counts add up to their rows. */
export function aggregatesDefect(aggregates: RowAggregates | null): Found<'bad_aggregates'> {
  if (aggregates === null) return null;
  const { alphas, validation, calibration } = aggregates;
  const bad = (detail: string): Found<'bad_aggregates'> => ({ reason: 'bad_aggregates', detail: `aggregates.${detail}` });
  if (alphas.length === 0 || alphas.some((a) => !(a > 0))) return bad('alphas: must be one or more penalties above 0');
  if (validation !== null) {
    if (validation.sse.length !== alphas.length) return bad(`validation.sse has ${validation.sse.length} values for ${alphas.length} alphas`);
    if (validation.sse.some((s) => s < 0)) return bad('validation.sse: a sum of squares below 0');
  }
  if (calibration.length !== alphas.length) return bad(`calibration has ${calibration.length} entries for ${alphas.length} alphas`);
  for (const [i, c] of calibration.entries()) {
    if (c === null) continue;
    if (c.n.length !== CALIBRATION_BINS || c.sy.length !== CALIBRATION_BINS) return bad(`calibration[${i}]: ${c.n.length} counts and ${c.sy.length} sums; there are ${CALIBRATION_BINS} bins`);
    const rows = c.n.reduce((sum, n) => sum + n, 0);
    if (rows !== c.rows) return bad(`calibration[${i}]: its bins count ${rows} rows, not ${c.rows}`);
    if (c.sy.some((sy, b) => (c.n[b] === 0 && sy !== 0) || sy < 0)) return bad(`calibration[${i}].sy: a label sum below 0, or in an empty bin`);
  }
  return null;
}
