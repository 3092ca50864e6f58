// The fleet's members in a real SQLite buffer (issue 15): written with an ingest batch, the latest
// message per member, forgotten when cleared, refusals dead-lettered and counted, and read back
// through the codec, checked again against the config of the day.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFleetStats } from '../../../src/fleet/codec.js';
import { openDatabase, type Db } from '../../../src/store/db.js';
import { listDeadLetters } from '../../../src/store/dead-letters.js';
import { FleetMembers, type MemberRow } from '../../../src/store/fleet-members.js';
import { BatchWriter, type FleetRow } from '../../../src/store/ingest-batch.js';
import { fleetMessages } from '../../../src/store/status.js';
import { FLEET, fleetStats } from '../../helpers/fleet-stats.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';

const SELECT = { id: FLEET, members: [], max_message_bytes: 16 * 1024 ** 2 };

async function buffer(): Promise<Db> {
  const dir = await tempDir('fleet-members');
  const db = openDatabase(join(dir, 'faultline.db'), { sync: 'normal' });
  onCleanup(() => {
    db.close();
  });
  return db;
}

function member(agent: string, options: { fleet?: string; seed?: number; episodes?: number; receivedAt?: number } = {}): FleetRow {
  const stats = fleetStats({ agent, fleet: options.fleet ?? FLEET, seed: options.seed ?? 1, episodes: options.episodes ?? 3 });
  const row: MemberRow = {
    fleet: stats.fleet,
    agent,
    receivedAt: options.receivedAt ?? 1_000,
    sentAt: stats.sentAt,
    recipe: stats.recipe?.hash ?? null,
    episodes: stats.episodes.length,
    payload: encodeFleetStats(stats),
  };
  return { kind: 'member', member: row };
}

const write = (db: Db, fleet: FleetRow[]): void => {
  new BatchWriter(db, 100).writeBatch({ readings: [], faults: [], deadLetters: [], fleet });
};

describe('fleet members in the buffer', () => {
  it('keep the latest message of each member and give back the statistics, by agent', async () => {
    const db = await buffer();
    write(db, [member('line2-gw'), member('line1-gw', { seed: 1 })]);
    write(db, [member('line1-gw', { seed: 2, episodes: 4, receivedAt: 2_000 })]);
    const members = new FleetMembers(db);
    expect(members.all(SELECT)).toEqual([fleetStats({ agent: 'line1-gw', seed: 2, episodes: 4 }), fleetStats({ agent: 'line2-gw' })]);
    expect(members.count(FLEET)).toBe(2);
    expect(members.list()).toEqual([
      { fleet: FLEET, agent: 'line1-gw', received_at: 2_000, sent_at: expect.any(Number), recipe: expect.stringMatching(/^sha256:/), episodes: 4, bytes: expect.any(Number) },
      { fleet: FLEET, agent: 'line2-gw', received_at: 1_000, sent_at: expect.any(Number), recipe: expect.stringMatching(/^sha256:/), episodes: 3, bytes: expect.any(Number) },
    ]);
    expect(fleetMessages(db)).toEqual({ accepted: 3, cleared: 0, rejected: new Map() });
  });

  it('forget a member whose retained message was cleared', async () => {
    const db = await buffer();
    write(db, [member('line1-gw'), member('line2-gw')]);
    write(db, [{ kind: 'cleared', fleet: FLEET, agent: 'line1-gw' }, { kind: 'cleared', fleet: FLEET, agent: 'never-seen' }]);
    const members = new FleetMembers(db);
    expect(members.all(SELECT).map((s) => s.agent)).toEqual(['line2-gw']);
    expect(fleetMessages(db)).toMatchObject({ accepted: 2, cleared: 2 });
  });

  it('dead-letter refusals with their reason and topic, counted apart from rejected readings', async () => {
    const db = await buffer();
    const payload = Buffer.alloc(4096, 0x41);
    const topic = `faultline/fleet/${FLEET}/line9-gw/stats`;
    write(db, [{ kind: 'rejected', deadLetter: { receivedAt: 5_000, topic, reason: 'not_gzip', detail: 'does not start with the gzip header (1f 8b)', payload } }]);
    const [letter] = listDeadLetters(db, { limit: 10 });
    expect(letter).toMatchObject({ topic, reason: 'not_gzip', detail: 'does not start with the gzip header (1f 8b)', payload_bytes: 4096 });
    expect(letter?.payload.length).toBe(1024);
    expect(fleetMessages(db).rejected).toEqual(new Map([['not_gzip', 1]]));
    const rejected = db.prepare("SELECT count(*) AS n FROM counters WHERE name = 'rejected' OR name LIKE 'rejected:%'").get() as { n: number };
    expect(rejected.n).toBe(0);
  });

  it('read only the configured fleet, and check stored messages again against the allow-list and bound of the day', async () => {
    const db = await buffer();
    write(db, [member('line1-gw'), member('line2-gw'), member('line1-gw', { fleet: 'other-fleet' })]);
    const members = new FleetMembers(db);
    expect(members.all(SELECT).map((s) => `${s.fleet}/${s.agent}`)).toEqual([`${FLEET}/line1-gw`, `${FLEET}/line2-gw`]);
    expect(members.all({ ...SELECT, id: 'other-fleet' }).map((s) => s.agent)).toEqual(['line1-gw']);
    expect(members.all({ ...SELECT, id: null })).toEqual([]);
    const read = members.read({ ...SELECT, members: ['line2-gw'] });
    expect(read.members.map((s) => s.agent)).toEqual(['line2-gw']);
    expect(read.refused).toEqual([{ agent: 'line1-gw', reason: 'not_member', detail: 'agent "line1-gw" is not in fleet.members' }]);
    expect(members.read({ ...SELECT, max_message_bytes: 1024 }).refused.map((r) => r.reason)).toEqual(['oversized', 'oversized']);
  });

  it('roll back the members with the rest of a batch that fails', async () => {
    const db = await buffer();
    const writer = new BatchWriter(db, 100);
    // A reading of a sensor without a name breaks the batch (NOT NULL) after its fleet rows were queued.
    const broken = { readings: [{ asset: 'press1', line: null, sensor: null as unknown as string, ts: 1, value: 1 }], faults: [], deadLetters: [], fleet: [member('line1-gw')] };
    expect(() => writer.writeBatch(broken)).toThrow();
    expect(new FleetMembers(db).count(FLEET)).toBe(0);
    expect(fleetMessages(db).accepted).toBe(0);
  });
});
