// A fleet statistics message's bytes (issue 15): encoding this agent's, and reading a member's with
// every check a hostile one needs, cheapest first, each refusal with a named reason. Pure: bytes in,
// statistics or reason out; no clock, no I/O.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { z } from 'zod';
import { errorCode } from '../error-message.js';
import { GRAM_DEFECTS, packGram } from '../learn/gram-codec.js';
import { featureNames, recipeHash } from '../learn/recipe.js';
import { aggregatesDefect, momentsDefect, readEpisode, regimesDefect } from './checks.js';
import { FLEET_STATS_VERSION, type FleetStats, type SharedEpisode } from './types.js';
import { wireStatsShape, type WireStats } from './wire.js';

/*
 * Wire form, version 1: gzip of UTF-8 JSON whose keys are the field names of types.ts as they are
 * (camelCase: the recipe's hash is the sha256 of its JSON, so its keys are sent untouched), with one
 * change: each episode's `gram` is base64 of learn/gram-codec.ts's packGram (little-endian float64,
 * the upper triangle of Σxxᵀ). An empty payload is not a message: it clears the retained one.
 */

/** Why a member's message was refused: labels of dead letters and of faultline_fleet_messages_total. */
export const FLEET_DEFECTS = [
  'oversized',
  'not_member',
  'not_gzip',
  'bad_json',
  'version',
  'wrong_fleet',
  'agent_mismatch',
  'recipe_hash',
  'too_many_episodes',
  'bad_field',
  'not_finite',
  'no_recipe',
  'duplicate_episode',
  'episode_times',
  'few_rows',
  'rows_mismatch',
  'bad_moments',
  'bad_regimes',
  'bad_aggregates',
  ...GRAM_DEFECTS.map((defect) => `gram_${defect}` as const),
] as const;

export type FleetDefect = (typeof FLEET_DEFECTS)[number];

export type DecodedStats = { readonly stats: FleetStats } | { readonly reason: FleetDefect; readonly detail: string };

export interface Expected {
  readonly fleet: string;
  /** The agent level of the topic it came on. */
  readonly agent: string;
  /** fleet.max_message_bytes: bounds the payload and its decompressed JSON. */
  readonly maxBytes: number;
  /** fleet.members: empty takes any agent. */
  readonly members: readonly string[];
}

/** Far more than years of one gateway's episodes; a longer list is not from a real member. */
export const MAX_SHARED_EPISODES = 100_000;

/** This agent's statistics as the bytes it publishes. Throws on a value JSON cannot carry (NaN, ±∞): a bug, not data. */
export function encodeFleetStats(stats: FleetStats): Buffer {
  const wire = { ...stats, episodes: stats.episodes.map((e) => ({ ...e, gram: Buffer.from(packGram(e.gram)).toString('base64') })) };
  const json = JSON.stringify(wire, (key, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`fleet statistics: ${key || '(value)'} is ${value}, which JSON cannot carry`);
    return value;
  });
  return gzipSync(Buffer.from(json, 'utf8'));
}

type Refusal = { readonly reason: FleetDefect; readonly detail: string };
const refuse = (reason: FleetDefect, detail: string): Refusal => ({ reason, detail });

/**
 * A member's statistics, or why they were refused. Cheapest first: the sizes and the topic's
 * agent before any decompression (gunzip stops at maxBytes, so a gzip bomb costs maxBytes, not
 * its expansion), then what the JSON claims about itself, then its shape, its recipe's hash, and
 * each value.
 */
export function decodeFleetStats(bytes: Uint8Array, expected: Expected): DecodedStats {
  const { fleet, agent, maxBytes, members } = expected;
  if (bytes.length > maxBytes) return refuse('oversized', `${bytes.length} bytes; fleet.max_message_bytes is ${maxBytes}`);
  if (members.length > 0 && !members.includes(agent)) return refuse('not_member', `agent "${agent}" is not in fleet.members`);
  const json = unzip(bytes, maxBytes);
  if ('reason' in json) return json;
  const raw = parseJson(json.text);
  if ('reason' in raw) return raw;
  const claims = claimsDefect(raw.value, { fleet, agent });
  if (claims) return claims;
  const message = raw.value as Record<string, unknown>;
  if (Array.isArray(message['episodes']) && message['episodes'].length > MAX_SHARED_EPISODES) {
    return refuse('too_many_episodes', `${message['episodes'].length} episodes; at most ${MAX_SHARED_EPISODES} are taken`);
  }
  const shaped = wireStatsShape.safeParse(message);
  if (!shaped.success) return shapeRefusal(shaped.error.issues[0], message);
  // The checked JSON itself, not zod's copy: zod writes keys in its own order, and the recipe's hash
  // is of its JSON. Hashed only once its shape is known: JSON.stringify of a list nested a million
  // deep (which JSON.parse reads) would overflow the stack.
  const wire = message as WireStats;
  if (wire.recipe !== null) {
    const actual = recipeHash(wire.recipe.recipe);
    if (actual !== wire.recipe.hash) return refuse('recipe_hash', `recipe.hash ${show(wire.recipe.hash)}, but its recipe hashes to ${actual}`);
  }
  return readValues(wire);
}

function unzip(bytes: Uint8Array, maxBytes: number): { text: Buffer } | Refusal {
  // RFC 1952: every gzip member starts with ID1 = 0x1f, ID2 = 0x8b.
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return refuse('not_gzip', 'does not start with the gzip header (1f 8b)');
  try {
    return { text: gunzipSync(bytes, { maxOutputLength: maxBytes }) };
  } catch (error) {
    if (errorCode(error) === 'ERR_BUFFER_TOO_LARGE') return refuse('oversized', `decompresses beyond fleet.max_message_bytes (${maxBytes} bytes)`);
    return refuse('not_gzip', `gzip: ${errorCode(error) ?? 'damaged'}`);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(bytes: Buffer): { value: unknown } | Refusal {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    return refuse('bad_json', 'not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('bad_json', 'JSON, but not an object');
  return { value };
}

/** What the message says it is (version, fleet, agent) against what it must be. */
function claimsDefect(value: unknown, expected: { fleet: string; agent: string }): Refusal | null {
  const m = value as Record<string, unknown>;
  if (m['v'] !== FLEET_STATS_VERSION) return refuse('version', `version ${show(m['v'])}; this agent reads ${FLEET_STATS_VERSION}`);
  if (m['fleet'] !== expected.fleet) return refuse('wrong_fleet', `fleet ${show(m['fleet'])}, on a topic of fleet "${expected.fleet}"`);
  if (m['agent'] !== expected.agent) return refuse('agent_mismatch', `agent ${show(m['agent'])}, on the topic of agent "${expected.agent}"`);
  return null;
}

/** A zod issue as a reason: a number JSON read as ±∞ (1e999) is not finite; anything else is a missing or mistyped field. */
function shapeRefusal(issue: z.core.$ZodIssue | undefined, message: unknown): Refusal {
  const path = issue?.path ?? [];
  let at: unknown = message;
  for (const part of path) at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[part] : undefined;
  const where = path.length === 0 ? '(message)' : path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  if (typeof at === 'number' && !Number.isFinite(at)) return refuse('not_finite', `${where} is ${at}`);
  return refuse('bad_field', `${where}: ${issue?.message ?? 'invalid'}`);
}

/** The values, once the shape is right: regimes, moments, aggregates, then each episode and its Gram. */
function readValues(wire: WireStats): DecodedStats {
  const defect =
    regimesDefect(wire.basis.regimes, 'basis.regimes') ?? regimesDefect(wire.recipe?.recipe.regimes?.regimes ?? null, 'recipe.regimes') ?? momentsDefect(wire.basis) ?? aggregatesDefect(wire.aggregates);
  if (defect) return defect;
  if (wire.recipe === null) {
    return wire.episodes.length === 0 && wire.aggregates === null ? { stats: { ...wire, episodes: [] } } : refuse('no_recipe', 'episodes or aggregates without the recipe they were summed under');
  }
  const p = featureNames(wire.recipe.recipe).length;
  const episodes: SharedEpisode[] = [];
  const seen = new Set<string>();
  for (const [i, e] of wire.episodes.entries()) {
    const id = JSON.stringify([e.asset, e.key]);
    // The same episode twice would weigh twice in every fit.
    if (seen.has(id)) return refuse('duplicate_episode', `episodes[${i}]: asset ${show(e.asset)}, key ${show(e.key)} a second time`);
    seen.add(id);
    const read = readEpisode(e, `episodes[${i}]`, p);
    if ('reason' in read) return read;
    episodes.push(read.episode);
  }
  return { stats: { ...wire, episodes } };
}

/** An untrusted value for a detail: a string or number as JSON, cut short; what a list or object holds is not read. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
