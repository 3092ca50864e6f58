// Small persistent state (the Sparkplug bdSeq, the last training outcome) in the buffer's `meta` table, behind
// a key-value interface so tests and other stores can stand in. No schema of its own.
import type { Db } from './db.js';

export interface KeyValueStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export function metaStore(db: Db): KeyValueStore {
  const read = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const write = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  return {
    get: (key) => read.get(key)?.value,
    set: (key, value) => {
      write.run(key, value);
    },
  };
}

/** For tests and for running without a buffer: forgets everything on restart. */
export function memoryStore(initial: Record<string, string> = {}): KeyValueStore {
  const values = new Map(Object.entries(initial));
  return {
    get: (key) => values.get(key),
    set: (key, value) => {
      values.set(key, value);
    },
  };
}
