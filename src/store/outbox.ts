// Messages waiting for the broker: a bounded FIFO in SQLite, so predictions made while the broker is
// away survive a restart. Over the bound, the oldest are dropped and counted, never silently.
import type { Db } from './db.js';

export interface OutboxMessage {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  createdAt: number;
  expiresAt: number;
}

export interface StoredOutboxMessage extends OutboxMessage {
  id: number;
}

export class Outbox {
  private readonly st;
  private readonly pushAll: (messages: readonly OutboxMessage[]) => number;
  /** Rows in the table, kept here: the publisher asks before every prediction. */
  private rows: number;

  constructor(
    db: Db,
    private readonly maxRows: number,
  ) {
    this.st = {
      insert: db.prepare<[string, Buffer, number, number, number, number]>(
        'INSERT INTO outbox (topic, payload, qos, retain, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      trim: db.prepare<[number]>('DELETE FROM outbox WHERE id <= (SELECT max(id) FROM outbox) - ?'),
      count: db.prepare('SELECT count(*) AS n FROM outbox'),
      head: db.prepare<[number, number]>('SELECT id, topic, payload, qos, retain, created_at, expires_at FROM outbox WHERE id > ? ORDER BY id LIMIT ?'),
      remove: db.prepare<[number]>('DELETE FROM outbox WHERE id <= ?'),
      addDropped: db.prepare<[number]>(
        "INSERT INTO counters (name, value) VALUES ('outbox_dropped', ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
      ),
    };
    this.pushAll = db.transaction((messages: readonly OutboxMessage[]) => {
      for (const m of messages) this.st.insert.run(m.topic, Buffer.from(m.payload), m.qos, m.retain ? 1 : 0, m.createdAt, m.expiresAt);
      const dropped = this.st.trim.run(this.maxRows).changes;
      if (dropped > 0) this.st.addDropped.run(dropped);
      return dropped;
    });
    this.rows = (this.st.count.get() as { n: number }).n;
  }

  /** Appends messages; returns how many old ones were dropped to stay within the bound. */
  push(messages: readonly OutboxMessage[]): number {
    const dropped = this.pushAll(messages);
    this.rows += messages.length - dropped;
    return dropped;
  }

  count(): number {
    return this.rows;
  }

  /** The oldest `limit` messages after id `after`, in the order they were made. */
  head(limit: number, after = 0): StoredOutboxMessage[] {
    const rows = this.st.head.all(after, limit) as Array<{
      id: number;
      topic: string;
      payload: Buffer;
      qos: 0 | 1;
      retain: number;
      created_at: number;
      expires_at: number;
    }>;
    return rows.map((r) => ({
      id: r.id,
      topic: r.topic,
      payload: r.payload.toString('utf8'),
      qos: r.qos,
      retain: r.retain === 1,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    }));
  }

  /** Removes everything up to and including `id` (sent, or expired). */
  removeThrough(id: number): void {
    this.rows -= this.st.remove.run(id).changes;
  }
}
