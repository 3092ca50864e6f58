// After the soak: is every message the broker acknowledged in the buffer? Each message number maps
// back to its asset and event time (fleet.mjs). Retention deletes the oldest readings of a series
// to keep storage.max_size, so what it pruned is counted apart; above each series' oldest kept
// reading, every acknowledged message must be there.
import Database from 'better-sqlite3';
import { assetName, messageOf } from './fleet.mjs';

export function verify(dbPath, bitmap, assets, t0) {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db
      .prepare(`SELECT a.name AS asset, r.ts AS ts FROM readings r JOIN series s ON s.id = r.series_id JOIN assets a ON a.id = s.asset_id WHERE s.sensor = 'temperature'`)
      .iterate();
    const kept = new Map(); // asset name -> Set of ts
    const oldest = new Map(); // asset name -> its oldest kept ts
    for (const { asset, ts } of rows) {
      let set = kept.get(asset);
      if (!set) kept.set(asset, (set = new Set()));
      set.add(ts);
      if (ts < (oldest.get(asset) ?? Infinity)) oldest.set(asset, ts);
    }
    const result = { acknowledged: 0, present: 0, pruned: 0, missing: 0, firstMissing: null };
    for (let seq = 0; seq < bitmap.length; seq++) {
      if (bitmap[seq] !== 1) continue;
      result.acknowledged++;
      const { asset, ts } = messageOf(seq, assets, t0);
      const name = assetName(asset);
      if (kept.get(name)?.has(ts)) result.present++;
      else if (ts < (oldest.get(name) ?? Infinity)) result.pruned++;
      else {
        result.missing++;
        result.firstMissing ??= { seq, asset: name, ts };
      }
    }
    return result;
  } finally {
    db.close();
  }
}
