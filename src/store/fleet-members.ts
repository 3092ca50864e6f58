// The fleet's members as this agent last heard them (issue 15): each one's latest accepted message,
// kept as the bytes that arrived, and read back through the codec, checked again, for a retrain,
// `faultline fleet` and /metrics. Ingest writes through put and remove inside its batch transaction.
import { decodeFleetStats, type FleetDefect } from '../fleet/codec.js';
import type { FleetStats } from '../fleet/types.js';
import type { Db, Statement } from './db.js';

/** An accepted message, as stored. */
export interface MemberRow {
  readonly fleet: string;
  readonly agent: string;
  readonly receivedAt: number;
  readonly sentAt: number;
  readonly recipe: string | null;
  readonly episodes: number;
  /** The gzip bytes as they arrived. */
  readonly payload: Buffer;
}

/** A member without its payload: what `faultline fleet` lists. */
export interface MemberSummary {
  readonly fleet: string;
  readonly agent: string;
  readonly received_at: number;
  readonly sent_at: number;
  readonly recipe: string | null;
  readonly episodes: number;
  readonly bytes: number;
}

/** Which members count: config.fleet's id, allow-list and message bound. */
export interface FleetSelector {
  readonly id: string | null;
  readonly members: readonly string[];
  readonly max_message_bytes: number;
}

export interface MembersRead {
  /** The members' statistics, by agent id (every agent reads them in the same order). */
  readonly members: FleetStats[];
  /** Stored messages that no longer pass: the allow-list or the bound changed since they came. */
  readonly refused: Array<{ readonly agent: string; readonly reason: FleetDefect; readonly detail: string }>;
}

export class FleetMembers {
  private readonly statements: ReturnType<typeof prepare>;

  constructor(db: Db) {
    this.statements = prepare(db);
  }

  /** Keeps `row` as its member's latest message, replacing the one before. */
  put(row: MemberRow): void {
    this.statements.put.run(row.fleet, row.agent, row.receivedAt, row.sentAt, row.recipe, row.episodes, row.payload);
  }

  /** Forgets a member (its retained message was cleared); true when there was one. */
  remove(fleet: string, agent: string): boolean {
    return this.statements.remove.run(fleet, agent).changes > 0;
  }

  /** Every member of the selected fleet, decoded and checked again; none when no fleet is set. */
  read(fleet: FleetSelector): MembersRead {
    const read: MembersRead = { members: [], refused: [] };
    if (fleet.id === null) return read;
    for (const row of this.statements.payloads.iterate(fleet.id) as Iterable<{ agent: string; payload: Buffer }>) {
      const decoded = decodeFleetStats(row.payload, { fleet: fleet.id, agent: row.agent, maxBytes: fleet.max_message_bytes, members: fleet.members });
      if ('stats' in decoded) read.members.push(decoded.stats);
      else read.refused.push({ agent: row.agent, reason: decoded.reason, detail: decoded.detail });
    }
    return read;
  }

  /** The members' statistics a retrain adds to its own. */
  all(fleet: FleetSelector): FleetStats[] {
    return this.read(fleet).members;
  }

  /** What is stored, without decoding: every fleet's members when `fleet` is omitted. */
  list(fleet?: string): MemberSummary[] {
    const rows = fleet === undefined ? this.statements.listAll.all() : this.statements.listFleet.all(fleet);
    return rows as MemberSummary[];
  }

  /** Members stored for `fleet`. */
  count(fleet: string): number {
    return (this.statements.count.get(fleet) as { n: number }).n;
  }
}

function prepare(db: Db) {
  const st = <P extends unknown[]>(sql: string): Statement<P> => db.prepare<P>(sql);
  const summary = 'SELECT fleet, agent, received_at, sent_at, recipe, episodes, length(payload) AS bytes FROM fleet_members';
  return {
    put: st<[string, string, number, number, string | null, number, Buffer]>(
      `INSERT INTO fleet_members (fleet, agent, received_at, sent_at, recipe, episodes, payload) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (fleet, agent) DO UPDATE SET received_at = excluded.received_at, sent_at = excluded.sent_at,
         recipe = excluded.recipe, episodes = excluded.episodes, payload = excluded.payload`,
    ),
    remove: st<[string, string]>('DELETE FROM fleet_members WHERE fleet = ? AND agent = ?'),
    payloads: st<[string]>('SELECT agent, payload FROM fleet_members WHERE fleet = ? ORDER BY agent'),
    listAll: st<[]>(`${summary} ORDER BY fleet, agent`),
    listFleet: st<[string]>(`${summary} WHERE fleet = ? ORDER BY agent`),
    count: st<[string]>('SELECT count(*) AS n FROM fleet_members WHERE fleet = ?'),
  };
}
