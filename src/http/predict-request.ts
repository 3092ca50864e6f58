// Validates a POST /v1/predict body: {"asset": "press3"} or {"readings": [{"ts": ..., "temperature": ...}]}.
// Pure; every refusal says what to send instead.
import { readTimestamp } from '../ingest/timestamp.js';
import { errorMessage } from '../error-message.js';

export type PredictRequest =
  | { kind: 'buffered'; asset: string }
  | { kind: 'given'; asset: string; line: string | null; rows: Array<{ ts: number; values: Record<string, number> }> };

export class BadRequest extends Error {}

const USAGE = 'send {"asset":"press3"} to predict from the buffered window, or {"readings":[{"ts":1764320000000,"temperature":71.2}, ...]}';
const MAX_ROWS = 100_000;

export function parsePredictRequest(body: string): PredictRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new BadRequest(`the body is not JSON (${errorMessage(error)}); ${USAGE}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequest(`the body must be a JSON object; ${USAGE}`);
  const { asset, line, readings, ...rest } = parsed as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new BadRequest(`unknown field "${unknown[0]}"; ${USAGE}`);
  if (asset !== undefined && (typeof asset !== 'string' || asset === '')) throw new BadRequest('"asset" must be a non-empty string');
  if (line !== undefined && line !== null && typeof line !== 'string') throw new BadRequest('"line" must be a string');
  if (readings === undefined) {
    if (asset === undefined) throw new BadRequest(USAGE);
    return { kind: 'buffered', asset };
  }
  if (!Array.isArray(readings) || readings.length === 0) throw new BadRequest(`"readings" must be a non-empty list; ${USAGE}`);
  if (readings.length > MAX_ROWS) throw new BadRequest(`"readings" has ${readings.length} rows; at most ${MAX_ROWS}`);
  const rows = readings.map((row, i) => parseRow(row, i));
  return { kind: 'given', asset: asset ?? 'request', line: (line as string | undefined) ?? null, rows };
}

function parseRow(row: unknown, i: number): { ts: number; values: Record<string, number> } {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new BadRequest(`readings[${i}] must be an object like {"ts":...,"temperature":...}`);
  const { ts, ...fields } = row as Record<string, unknown>;
  if (ts === undefined) throw new BadRequest(`readings[${i}] has no "ts"`);
  const time = readTimestamp(ts);
  if ('problem' in time) throw new BadRequest(`readings[${i}].ts ${time.problem}`);
  const values: Record<string, number> = {};
  for (const [sensor, value] of Object.entries(fields)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadRequest(`readings[${i}].${sensor} is ${JSON.stringify(value)}, not a finite number`);
    values[sensor] = value;
  }
  return { ts: time.ts, values };
}
