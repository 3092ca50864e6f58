// Writes histories into a real buffer file with plain SQL, as ingest would have stored them
// (assets, series with their bounds, readings, faults). Test helper for the training tests.
import type { AssetHistory } from '../../../src/learn/types.js';
import { openDatabase } from '../../../src/store/db.js';

export function writeBuffer(path: string, histories: readonly AssetHistory[]): void {
  const db = openDatabase(path, { sync: 'normal' });
  try {
    const asset = db.prepare<[string]>("INSERT INTO assets (name, line) VALUES (?, 'line1')");
    const series = db.prepare<[number, string, number | null, number | null]>('INSERT INTO series (asset_id, sensor, first_ts, last_ts) VALUES (?, ?, ?, ?)');
    const reading = db.prepare<[number, number, number]>('INSERT INTO readings (series_id, ts, value) VALUES (?, ?, ?)');
    const fault = db.prepare<[number, number]>("INSERT INTO faults (asset_id, ts, fields) VALUES (?, ?, '{}')");
    db.transaction(() => {
      for (const h of histories) {
        const assetId = Number(asset.run(h.asset).lastInsertRowid);
        for (const f of h.faults) fault.run(assetId, f);
        for (const [sensor, { ts, value }] of h.series) {
          const seriesId = Number(series.run(assetId, sensor, ts[0] ?? null, ts[ts.length - 1] ?? null).lastInsertRowid);
          for (let i = 0; i < ts.length; i++) reading.run(seriesId, ts[i]!, value[i]!);
        }
      }
    })();
  } finally {
    db.close();
  }
}
