// The fleet statistics codec (issue 15): exact round trips, and one named refusal for every kind of
// malformed or hostile message, found before it can reach a fit.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFleetStats, encodeFleetStats, FLEET_DEFECTS, type DecodedStats, type Expected } from '../../../src/fleet/codec.js';
import type { FleetStats } from '../../../src/fleet/types.js';
import { REJECT_REASONS } from '../../../src/ingest/reasons.js';
import { packGram } from '../../../src/learn/gram-codec.js';
import { recipeHash } from '../../../src/learn/recipe.js';
import { editedMessage, episodeGram, FLEET, fleetStats, gzipJson, hostileMessages, RECIPE, wireJson, type Wire } from '../../helpers/fleet-stats.js';

const EXPECTED: Expected = { fleet: FLEET, agent: 'line1-gw', maxBytes: 16 * 1024 ** 2, members: [] };

/** The reason of a refusal, or 'accepted'. */
const reasonOf = (result: DecodedStats): string => ('reason' in result ? result.reason : 'accepted');

function accepted(result: DecodedStats): FleetStats {
  if (!('stats' in result)) throw new Error(`refused: ${result.reason}: ${result.detail}`);
  return result.stats;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

const HOSTILE = hostileMessages('line1-gw');
const edited = (edit: (m: Wire) => void): Buffer => editedMessage('line1-gw', edit);

describe('encodeFleetStats and decodeFleetStats', () => {
  it('round-trip a message exactly, Grams included', () => {
    const stats = fleetStats();
    const bytes = encodeFleetStats(stats);
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    expect(accepted(decodeFleetStats(bytes, EXPECTED))).toEqual(stats);
  });

  it('send each Gram as base64 of packGram under the type names, and the recipe as it is', () => {
    const stats = fleetStats();
    const wire = wireJson(stats) as { episodes: Array<{ gram: string }>; recipe: { recipe: unknown } };
    expect(wire.episodes[0]?.gram).toBe(base64(packGram(stats.episodes[0]!.gram)));
    expect(Object.keys(wire)).toEqual(['v', 'fleet', 'agent', 'sentAt', 'basis', 'recipe', 'episodes', 'aggregates']);
    expect(JSON.stringify(wire.recipe.recipe)).toBe(JSON.stringify(RECIPE));
  });

  it('round-trip a member without a recipe yet, and one with no aggregates', () => {
    const none = { ...fleetStats(), recipe: null, episodes: [], aggregates: null };
    expect(accepted(decodeFleetStats(encodeFleetStats(none), EXPECTED))).toEqual(none);
    const plain = { ...fleetStats(), aggregates: null };
    expect(accepted(decodeFleetStats(encodeFleetStats(plain), EXPECTED))).toEqual(plain);
  });

  it('round-trip any names, times, counts and episode sizes', () => {
    const arbEpisode = fc.record({ asset: fc.string({ unit: 'binary', maxLength: 12 }), start: fc.integer({ min: 0, max: 2e12 }), length: fc.integer({ min: 0, max: 1e9 }), rows: fc.integer({ min: 30, max: 200 }), seed: fc.nat() });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.nat({ max: 2 ** 48 }), fc.uniqueArray(arbEpisode, { maxLength: 5, selector: (e) => e.asset }), (agent, sentAt, list) => {
        const stats: FleetStats = {
          ...fleetStats({ agent, sentAt }),
          episodes: list.map((e) => ({ asset: e.asset, key: String(e.start + e.length), start: e.start, end: e.start + e.length, rows: e.rows, gram: episodeGram(e.seed, e.rows) })),
        };
        expect(accepted(decodeFleetStats(encodeFleetStats(stats), { ...EXPECTED, agent }))).toEqual(stats);
      }),
      { seed: 15, numRuns: 60 },
    );
  });

  it('refuse to encode a value JSON cannot carry, rather than send null', () => {
    const stats = fleetStats();
    expect(() => encodeFleetStats({ ...stats, basis: { ...stats.basis, durationMs: Number.NaN } })).toThrow(/durationMs is NaN/);
  });

  it.each(HOSTILE)('refuse %s with its reason and a detail', (reason, make, expected) => {
    const result = decodeFleetStats(make(), { ...EXPECTED, ...expected });
    expect(result).toEqual({ reason, detail: expect.any(String) });
    expect((result as { detail: string }).detail.length).toBeGreaterThan(5);
  });

  it('has a hostile message above for every reason, and reasons apart from ingest ones', () => {
    expect(HOSTILE.map(([reason]) => reason).sort()).toEqual([...FLEET_DEFECTS].sort());
    expect(FLEET_DEFECTS.filter((d) => (REJECT_REASONS as readonly string[]).includes(d))).toEqual([]);
  });

  it('say where the field is, and which agent or fleet a message claimed', () => {
    expect(decodeFleetStats(edited((m) => delete m.basis.sensors), EXPECTED)).toEqual({ reason: 'bad_field', detail: expect.stringMatching(/^basis\.sensors: /) });
    expect(decodeFleetStats(edited((m) => (m.episodes[1].gram = 'not base64 text!')), EXPECTED)).toEqual({ reason: 'bad_field', detail: 'episodes[1].gram: not base64' });
    expect(decodeFleetStats(edited((m) => (m.agent = 'line2-gw')), EXPECTED)).toEqual({ reason: 'agent_mismatch', detail: 'agent "line2-gw", on the topic of agent "line1-gw"' });
    expect(decodeFleetStats(edited((m) => (m.extra = 1)), EXPECTED)).toEqual({ reason: 'bad_field', detail: expect.stringMatching(/^\(message\): Unrecognized key: "extra"/) });
  });

  it('refuse a recipe whose feature names alone would take gigabytes, before building them', () => {
    const huge = { ...RECIPE, sensors: Array.from({ length: 5000 }, (_, i) => `s${i}`), kinds: ['ewma', 'squares'] };
    const bytes = edited((m) => (m.recipe = { hash: recipeHash(huge as never), recipe: huge }));
    expect(decodeFleetStats(bytes, EXPECTED)).toEqual({ reason: 'bad_field', detail: expect.stringMatching(/^recipe\.recipe\.sensors: /) });
    const lives = { ...RECIPE, halfLivesMs: Array.from({ length: 9 }, (_, i) => 1000 * (i + 1)) };
    expect(reasonOf(decodeFleetStats(edited((m) => (m.recipe = { hash: recipeHash(lives), recipe: lives })), EXPECTED))).toBe('bad_field');
  });

  it('take a recipe hashed as sent, with its keys in any order', () => {
    const reordered = Object.fromEntries(Object.entries(RECIPE).reverse());
    const bytes = edited((m) => (m.recipe = { hash: recipeHash(reordered as never), recipe: reordered }));
    const stats = accepted(decodeFleetStats(bytes, EXPECTED));
    expect(recipeHash(stats.recipe!.recipe)).toBe(stats.recipe!.hash);
  });

  it('stop decompressing a gzip bomb at max_message_bytes', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 ** 2));
    expect(bomb.length).toBeLessThan(1024 ** 2);
    const started = performance.now();
    expect(decodeFleetStats(bomb, { ...EXPECTED, maxBytes: 1024 ** 2 })).toEqual({ reason: 'oversized', detail: 'decompresses beyond fleet.max_message_bytes (1048576 bytes)' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuse before decompressing what is too large or from a non-member', () => {
    const notGzip = Buffer.alloc(2048, 0x41);
    expect(reasonOf(decodeFleetStats(notGzip, { ...EXPECTED, maxBytes: 1024 }))).toBe('oversized');
    expect(reasonOf(decodeFleetStats(notGzip, { ...EXPECTED, members: ['x'] }))).toBe('not_member');
    expect(decodeFleetStats(encodeFleetStats(fleetStats()), { ...EXPECTED, members: ['line1-gw'] })).toHaveProperty('stats');
  });

  it('never throw: lists nested a million deep, times no date holds, any JSON, any edit of a real message', () => {
    const deep = `${'['.repeat(1e6)}${']'.repeat(1e6)}`;
    const text = JSON.stringify(wireJson());
    expect(reasonOf(decodeFleetStats(gzipJson(text.replace('"v":1', `"v":${deep}`)), EXPECTED))).toBe('version');
    expect(reasonOf(decodeFleetStats(gzipJson(text.replace(/"recipe":\{"hash":"[^"]+","recipe":/, `"recipe":{"hash":"x","recipe":${deep},"r":`)), EXPECTED))).toBe('bad_field');
    expect(decodeFleetStats(edited((m) => (m.sentAt = 2 ** 60)), EXPECTED)).toEqual({ reason: 'bad_field', detail: expect.stringMatching(/^sentAt: /) });
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(reasonOf(decodeFleetStats(gzipJson(value), EXPECTED))).not.toBe('accepted');
      }),
      { seed: 15, numRuns: 200 },
    );
    const paths = (v: unknown, at: Array<string | number> = []): Array<Array<string | number>> =>
      typeof v === 'object' && v !== null ? [at, ...Object.entries(v).flatMap(([k, c]) => paths(c, [...at, Array.isArray(v) ? Number(k) : k]))] : [at];
    const all = paths(wireJson()).filter((p) => p.length > 0);
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.jsonValue({ maxDepth: 2 }), (path, value) => {
        const bytes = edited((m) => {
          const parent = path.slice(0, -1).reduce((node, k) => node[k] as Record<PropertyKey, unknown>, m as Record<PropertyKey, unknown>);
          parent[path.at(-1)!] = value;
        });
        expect(() => decodeFleetStats(bytes, EXPECTED)).not.toThrow();
      }),
      { seed: 15, numRuns: 300 },
    );
  });

  it('refuse an empty payload, text that is not UTF-8, and JSON that is not an object', () => {
    expect(reasonOf(decodeFleetStats(Buffer.alloc(0), EXPECTED))).toBe('not_gzip');
    expect(reasonOf(decodeFleetStats(gzipSync(Buffer.from([0xff, 0xfe, 0x7b])), EXPECTED))).toBe('bad_json');
    expect(decodeFleetStats(gzipJson([1, 2]), EXPECTED)).toEqual({ reason: 'bad_json', detail: 'JSON, but not an object' });
    expect(reasonOf(decodeFleetStats(gzipSync(Buffer.from('x')).subarray(0, 12), EXPECTED))).toBe('not_gzip');
  });
});
