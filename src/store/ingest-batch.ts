// Writes one ingest batch (readings, faults, fleet members, dead letters, counters) in a single
// transaction, so a batch is durable as a whole or not at all. Knows tables and ids; knows nothing of MQTT.
import type { FleetDefect } from '../fleet/codec.js';
import type { RejectReason } from '../ingest/reasons.js';
import type { Db, Statement } from './db.js';
import { FleetMembers, type MemberRow } from './fleet-members.js';

export interface ReadingRow {
  asset: string;
  line: string | null;
  sensor: string;
  ts: number;
  value: number;
}

export interface FaultRow {
  asset: string;
  line: string | null;
  ts: number;
  fields: Record<string, unknown>;
}

export interface DeadLetterRow {
  receivedAt: number;
  topic: string;
  reason: RejectReason;
  detail: string;
  payload: Buffer;
}

/**
 * A message on a fleet statistics topic (issue 15): a member's latest statistics, a cleared
 * retained message, or a refused one (dead-lettered, and counted apart from rejected readings).
 */
export type FleetRow =
  | { readonly kind: 'member'; readonly member: MemberRow }
  | { readonly kind: 'cleared'; readonly fleet: string; readonly agent: string }
  | { readonly kind: 'rejected'; readonly deadLetter: Omit<DeadLetterRow, 'reason'> & { readonly reason: FleetDefect } };

/** A dead letter of ingest or of the fleet: the reason is one of theirs. */
type AnyDeadLetter = Omit<DeadLetterRow, 'reason'> & { readonly reason: string };

export interface Batch {
  readings: ReadingRow[];
  faults: FaultRow[];
  deadLetters: DeadLetterRow[];
  fleet?: FleetRow[];
}

export interface BatchResult {
  /** Readings that were new; the rest were redelivered duplicates. */
  stored: number;
  duplicates: number;
  faults: number;
}

/** Counter names of fleet messages: accepted, cleared, and rejected by reason (the suffix). */
export const FLEET_COUNTERS = { accepted: 'fleet:accepted', cleared: 'fleet:cleared', rejected: 'fleet_rejected:' } as const;

/** Dead letters keep this much of the raw payload: enough to see what a device sent. */
export const DEAD_LETTER_BYTES = 1024;

export class BatchWriter {
  private readonly assetIds = new Map<string, number>();
  private readonly seriesIds = new Map<string, number>();
  private readonly statements: ReturnType<typeof prepare>;
  private readonly members: FleetMembers;
  private readonly write: (batch: Batch) => BatchResult;

  constructor(
    private readonly db: Db,
    private readonly deadLetterLimit: number,
  ) {
    this.statements = prepare(db);
    this.members = new FleetMembers(db);
    this.write = db.transaction((batch: Batch) => this.writeRows(batch));
  }

  writeBatch(batch: Batch): BatchResult {
    try {
      return this.write(batch);
    } catch (error) {
      // Ids handed out inside the rolled-back transaction no longer exist.
      this.assetIds.clear();
      this.seriesIds.clear();
      throw error;
    }
  }

  /** Every asset/sensor pair in the buffer, for the ingest series limit. */
  listSeries(): Array<{ asset: string; sensor: string }> {
    return this.db.prepare('SELECT a.name AS asset, s.sensor FROM series s JOIN assets a ON a.id = s.asset_id').all() as Array<{
      asset: string;
      sensor: string;
    }>;
  }

  private writeRows(batch: Batch): BatchResult {
    const s = this.statements;
    let stored = 0;
    const bounds = new Map<number, { first: number; last: number }>();
    for (const r of batch.readings) {
      const seriesId = this.seriesId(r.asset, r.line, r.sensor);
      if (s.insertReading.run(seriesId, r.ts, r.value).changes === 0) continue;
      stored++;
      const b = bounds.get(seriesId);
      if (!b) bounds.set(seriesId, { first: r.ts, last: r.ts });
      else {
        if (r.ts < b.first) b.first = r.ts;
        if (r.ts > b.last) b.last = r.ts;
      }
    }
    for (const [id, b] of bounds) s.widenSeries.run({ first: b.first, last: b.last, id });

    let faults = 0;
    for (const f of batch.faults) {
      faults += s.insertFault.run(this.assetId(f.asset, f.line), f.ts, JSON.stringify(f.fields)).changes;
    }

    const counts = new Map<string, number>();
    const count = (name: string, delta = 1): void => {
      counts.set(name, (counts.get(name) ?? 0) + delta);
    };
    const deadLetter = (d: AnyDeadLetter): void => {
      s.insertDeadLetter.run(d.receivedAt, d.topic, d.reason, d.detail, d.payload.subarray(0, DEAD_LETTER_BYTES), d.payload.length);
    };
    for (const d of batch.deadLetters) {
      deadLetter(d);
      count(`rejected:${d.reason}`);
    }
    const fleet = batch.fleet ?? [];
    for (const f of fleet) this.writeFleet(f, deadLetter, count);
    if (batch.deadLetters.length > 0 || fleet.some((f) => f.kind === 'rejected')) s.trimDeadLetters.run(this.deadLetterLimit);

    count('readings', stored);
    count('readings_stored_total', stored);
    count('rejected', batch.deadLetters.length);
    for (const [name, delta] of counts) if (delta !== 0) s.addCounter.run(name, delta);
    return { stored, duplicates: batch.readings.length - stored, faults };
  }

  /** A fleet message: its member kept or forgotten, or its refusal dead-lettered; counted by result (FLEET_COUNTERS). */
  private writeFleet(f: FleetRow, deadLetter: (d: AnyDeadLetter) => void, count: (name: string) => void): void {
    switch (f.kind) {
      case 'member':
        this.members.put(f.member);
        count(FLEET_COUNTERS.accepted);
        return;
      case 'cleared':
        this.members.remove(f.fleet, f.agent);
        count(FLEET_COUNTERS.cleared);
        return;
      case 'rejected':
        deadLetter(f.deadLetter);
        count(`${FLEET_COUNTERS.rejected}${f.deadLetter.reason}`);
        return;
    }
  }

  private assetId(name: string, line: string | null): number {
    const cached = this.assetIds.get(name);
    if (cached !== undefined) return cached;
    const s = this.statements;
    s.insertAsset.run(name, line);
    const row = s.selectAsset.get(name) as { id: number };
    this.assetIds.set(name, row.id);
    return row.id;
  }

  private seriesId(asset: string, line: string | null, sensor: string): number {
    const key = `${asset}\u0000${sensor}`;
    const cached = this.seriesIds.get(key);
    if (cached !== undefined) return cached;
    const s = this.statements;
    const assetId = this.assetId(asset, line);
    s.insertSeries.run(assetId, sensor);
    const row = s.selectSeries.get(assetId, sensor) as { id: number };
    this.seriesIds.set(key, row.id);
    return row.id;
  }
}

function prepare(db: Db) {
  const st = <P extends unknown[]>(sql: string): Statement<P> => db.prepare<P>(sql);
  return {
    insertAsset: st<[string, string | null]>('INSERT OR IGNORE INTO assets (name, line) VALUES (?, ?)'),
    selectAsset: st<[string]>('SELECT id FROM assets WHERE name = ?'),
    insertSeries: st<[number, string]>('INSERT OR IGNORE INTO series (asset_id, sensor) VALUES (?, ?)'),
    selectSeries: st<[number, string]>('SELECT id FROM series WHERE asset_id = ? AND sensor = ?'),
    insertReading: st<[number, number, number]>('INSERT OR IGNORE INTO readings (series_id, ts, value) VALUES (?, ?, ?)'),
    widenSeries: st<[{ first: number; last: number; id: number }]>(
      'UPDATE series SET first_ts = min(coalesce(first_ts, @first), @first), last_ts = max(coalesce(last_ts, @last), @last) WHERE id = @id',
    ),
    insertFault: st<[number, number, string]>('INSERT OR IGNORE INTO faults (asset_id, ts, fields) VALUES (?, ?, ?)'),
    insertDeadLetter: st<[number, string, string, string, Buffer, number]>(
      'INSERT INTO dead_letters (received_at, topic, reason, detail, payload, payload_bytes) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    trimDeadLetters: st<[number]>('DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM dead_letters) - ?'),
    addCounter: st<[string, number]>(
      'INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
    ),
  };
}
