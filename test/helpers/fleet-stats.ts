// A valid fleet statistics message for tests (issue 15): a two-regime recipe of two sensors, episode
// Grams summed from seeded rows, a basis and aggregates of the right shapes. Also the wire JSON of a
// message, and one hostile message per reason it can be refused for.
import { gunzipSync, gzipSync } from 'node:zlib';
import { mulberry32, normal } from '../../src/demo/random.js';
import { encodeFleetStats, MAX_SHARED_EPISODES, type Expected, type FleetDefect } from '../../src/fleet/codec.js';
import { CALIBRATION_BINS, FLEET_STATS_VERSION, MIN_SHARED_ROWS, type FleetStats, type SharedEpisode } from '../../src/fleet/types.js';
import { GRAM_FORMAT_VERSION, packGram } from '../../src/learn/gram-codec.js';
import { GramSum } from '../../src/learn/gram.js';
import { featureNames, halfLivesOf, recipeHash, type Recipe } from '../../src/learn/recipe.js';
import type { RegimeModel } from '../../src/learn/regimes.js';
import { RIDGE_ALPHA_GRID } from '../../src/learn/ridge.js';

export const FLEET = 'press-fleet';
const T0 = 1_764_320_000_000;
const HOUR = 3_600_000;

const REGIMES: RegimeModel = {
  fields: ['speed'],
  used: [0],
  mean: [40],
  std: [10],
  centroids: [[-1], [1]],
  scores: [{ k: 2, silhouette: 0.93 }],
  silhouette: 0.93,
  readings: 5000,
  sampled: 5000,
  skipped: 0,
};

/** Two wear sensors, window mean and std: p = 4 features. */
export const RECIPE: Recipe = {
  version: 2,
  sensors: ['temperature', 'vibration'],
  conditions: ['speed'],
  kinds: ['mean', 'std'],
  windowMs: 600_000,
  halfLivesMs: halfLivesOf(600_000),
  staleMs: 1_800_000,
  maxGapMs: 300_000,
  strideMs: 60_000,
  horizonS: 7200,
  requireFullWindow: false,
  regimes: {
    regimes: REGIMES,
    scaling: { sensors: ['temperature', 'vibration'], mean: [[70, 0.03], [75, 0.04]], std: [[1.5, 0.01], [1.8, 0.012]], count: [[2400, 2400], [2600, 2600]], kept: [true, true] },
  },
};

export const P = featureNames(RECIPE).length;

/** The sums of `rows` seeded feature rows, labelled with time to fault. */
export function episodeGram(seed: number, rows: number): SharedEpisode['gram'] {
  const gauss = normal(mulberry32(seed));
  const sum = new GramSum(P);
  for (let i = 0; i < rows; i++) {
    const wear = i / rows;
    sum.addRow([70 + 3 * wear + gauss(), 0.3 + 0.2 * wear + 0.1 * gauss(), 0.03 + 0.02 * wear + 0.001 * gauss(), 0.01 + 0.002 * gauss()], 7200 * (1 - wear));
  }
  return sum.toGram();
}

export interface StatsOptions {
  readonly fleet?: string;
  readonly agent?: string;
  readonly episodes?: number;
  readonly seed?: number;
  readonly sentAt?: number;
}

/** A member's statistics as the learning side would make them. */
export function fleetStats(options: StatsOptions = {}): FleetStats {
  const { fleet = FLEET, agent = 'line1-gw', episodes: count = 3, seed = 1, sentAt = T0 + 30 * 24 * HOUR } = options;
  const episodes = Array.from({ length: count }, (_, e): SharedEpisode => {
    const rows = MIN_SHARED_ROWS + 10 * e + 5;
    const start = T0 + e * 24 * HOUR;
    return { asset: `press${e % 3}`, key: String(start + 20 * HOUR), start, end: start + 20 * HOUR, rows, gram: episodeGram(seed * 1000 + e, rows) };
  });
  // 80 rows in the bins from a sixth of the way up, a label that rises with the bin.
  const n = Array.from({ length: CALIBRATION_BINS }, (_, b) => (b >= CALIBRATION_BINS / 6 && b < CALIBRATION_BINS / 6 + 80 ? 1 : 0));
  const sy = n.map((count, b) => count * 10 * b);
  return {
    v: FLEET_STATS_VERSION,
    fleet,
    agent,
    sentAt,
    basis: {
      configKey: 'sha256:0123456789abcdef',
      sensors: ['temperature', 'vibration'],
      conditions: ['speed'],
      intervalMs: 60_000,
      durationMs: count * 20 * HOUR,
      medianEpisodeMs: 20 * HOUR,
      episodes: count,
      samples: episodes.reduce((n, e) => n + e.rows, 0),
      regimes: REGIMES,
      momentsIn: 'sha256:regimes-of-the-recipe',
      moments: [
        [{ n: 2400, mean: 70.1, m2: 5400 }, { n: 2400, mean: 0.031, m2: 0.24 }],
        [{ n: 2600, mean: 74.9, m2: 8424 }, { n: 2600, mean: 0.041, m2: 0.37 }],
      ],
    },
    recipe: { hash: recipeHash(RECIPE), recipe: RECIPE },
    episodes,
    aggregates: {
      fit: 'sha256:fit-of-these-episodes',
      alphas: [...RIDGE_ALPHA_GRID],
      validation: { rows: 120, sse: RIDGE_ALPHA_GRID.map((a) => 1e7 * (1 + a)) },
      calibration: RIDGE_ALPHA_GRID.map((_, i) => (i === 0 ? null : { rows: 80, n, sy })),
    },
  };
}

/** The wire JSON of `stats` (what encodeFleetStats gzips), to edit. */
export function wireJson(stats: FleetStats = fleetStats()): Record<string, unknown> {
  return JSON.parse(gunzipSync(encodeFleetStats(stats)).toString('utf8')) as Record<string, unknown>;
}

/** Gzipped JSON text: a message as any publisher could make it. */
export function gzipJson(value: unknown): Buffer {
  return gzipSync(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8'));
}

/** The wire JSON, edited freely, as a hostile publisher would. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any path of the message may be set to anything
export type Wire = Record<string, any>;

/** A message of `agent` whose wire JSON was edited by `edit`. */
export function editedMessage(agent: string, edit: (m: Wire) => void): Buffer {
  const m = wireJson(fleetStats({ agent }));
  edit(m);
  return gzipJson(m);
}

/** The packed bytes of `g` with the float64 at value index i (after the 16-byte header) set to v. */
function withValue(g: SharedEpisode['gram'], i: number, v: number): Uint8Array {
  const bytes = packGram(g);
  new DataView(bytes.buffer).setFloat64(16 + 8 * i, v, true);
  return bytes;
}

/** One hostile message of `agent` per reason, and what the receiving agent must expect for it to be refused so. */
export function hostileMessages(agent: string): Array<[FleetDefect, () => Buffer, Partial<Expected>?]> {
  const edited = (edit: (m: Wire) => void): Buffer => editedMessage(agent, edit);
  const withGram = (bytes: Uint8Array): Buffer => edited((m) => (m.episodes[0].gram = Buffer.from(bytes).toString('base64')));
  const gram = episodeGram(7, 40);
  const last = 3 + 3 * P + (P * (P + 1)) / 2 - 1;
  const valid = (): Buffer => encodeFleetStats(fleetStats({ agent }));
  return [
    ['oversized', valid, { maxBytes: 1024 }],
    ['not_member', valid, { members: ['someone-else'] }],
    ['not_gzip', () => Buffer.from(JSON.stringify(wireJson(fleetStats({ agent }))))],
    ['bad_json', () => gzipJson('{"v": 1, "fleet": ')],
    ['version', () => edited((m) => (m.v = 2))],
    ['wrong_fleet', () => edited((m) => (m.fleet = 'other-fleet'))],
    ['agent_mismatch', () => edited((m) => (m.agent = `not-${agent}`))],
    ['recipe_hash', () => edited((m) => (m.recipe.recipe.horizonS = 3600))],
    ['too_many_episodes', () => edited((m) => (m.episodes = Array.from({ length: MAX_SHARED_EPISODES + 1 }, () => ({}))))],
    ['bad_field', () => edited((m) => delete m.basis.sensors)],
    ['not_finite', () => gzipJson(JSON.stringify(wireJson(fleetStats({ agent }))).replace(/"sentAt":\d+/, '"sentAt":1e999'))],
    ['no_recipe', () => edited((m) => (m.recipe = null))],
    ['duplicate_episode', () => edited((m) => (m.episodes[2] = m.episodes[0]))],
    ['episode_times', () => edited((m) => (m.episodes[1].start = m.episodes[1].end + 1))],
    ['few_rows', () => edited((m) => (m.episodes[0].rows = MIN_SHARED_ROWS - 1))],
    ['rows_mismatch', () => edited((m) => (m.episodes[0].rows += 1))],
    ['bad_moments', () => edited((m) => (m.basis.moments[1][0].m2 = -1))],
    ['bad_regimes', () => edited((m) => (m.basis.regimes.std = [0]))],
    ['bad_aggregates', () => edited((m) => m.aggregates.validation.sse.pop())],
    ['gram_truncated', () => withGram(packGram(gram).subarray(0, 12))],
    ['gram_version', () => withGram(Object.assign(packGram(gram), { 0: GRAM_FORMAT_VERSION + 1 }))],
    ['gram_dimension', () => withGram(packGram({ ...gram, p: 0, shift: new Float64Array(), sx: new Float64Array(), sxy: new Float64Array(), sxx: new Float64Array() }))],
    ['gram_length', () => withGram(Buffer.concat([packGram(gram), Buffer.alloc(8)]))],
    ['gram_not_finite', () => withGram(withValue(gram, last, Number.NaN))],
    ['gram_negative_count', () => withGram(packGram({ ...gram, n: -40 }))],
    ['gram_fractional_count', () => withGram(packGram({ ...gram, n: 40.5 }))],
    ['gram_empty_with_sums', () => withGram(packGram({ ...gram, n: 0 }))],
    ['gram_magnitude', () => withGram(withValue(gram, 3, 1e16))],
    ['gram_negative_variance', () => withGram(withValue(gram, 2, 0))],
    ['gram_not_a_gram', () => withGram(withValue(gram, 3 + 3 * P + 1, 1e12))],
  ];
}
