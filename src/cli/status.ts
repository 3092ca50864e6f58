// `faultline status`: what is in the buffer and which model serves, from the database alone
// (works whether or not the agent is running).
import { existsSync } from 'node:fs';
import { openDatabase } from '../store/db.js';
import { readStatus, type BufferStatus } from '../store/status.js';
import { EMPTY_TRACK_RECORD, type TrackRecordStatus } from '../store/track-record.js';
import { EXIT } from '../exit-codes.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { loadConfigFor } from './load-config.js';

const EMPTY: BufferStatus = {
  readings: 0,
  rejected: 0,
  faults: 0,
  assets: 0,
  oldest_ts: null,
  newest_ts: null,
  db_bytes: 0,
  wal_bytes: 0,
  dead_letters: 0,
  outbox: 0,
  model: null,
  last_training: null,
  track_record: EMPTY_TRACK_RECORD,
};

export const status: Command = {
  name: 'status',
  summary: 'buffer size, assets, faults, models and their metrics',
  usage: 'faultline status [--config FILE] [--json]',
  options: [CONFIG_OPTION, { name: 'json', help: 'print one JSON object instead of a table' }],
  notes: 'Exit status: 0, 1 the buffer cannot be read, 78 the config is wrong, 64 bad usage.',
  run: (ctx) => {
    const { config } = loadConfigFor(ctx);
    const path = config.storage.path;
    let snapshot = EMPTY;
    if (existsSync(path)) {
      const db = openDatabase(path, { sync: config.storage.sync, readonly: true });
      try {
        snapshot = readStatus(db);
      } finally {
        db.close();
      }
    }
    if (ctx.values.json) {
      ctx.out(`${JSON.stringify({ ...snapshot, db_path: path })}\n`);
      return EXIT.ok;
    }
    ctx.out(formatStatus(snapshot, path, existsSync(path)));
    return EXIT.ok;
  },
};

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function formatStatus(s: BufferStatus, path: string, exists: boolean): string {
  const time = (ts: number | null): string => (ts === null ? '-' : new Date(ts).toISOString());
  const model = s.model
    ? `version ${s.model.version}, RMSE ${s.model.rmse?.toFixed(1) ?? '-'} s, trained ${s.model.trained_at}`
    : 'none yet: no predictions until a model is trained on labelled history (readings before faults)';
  const lastRun = s.last_training ? `${s.last_training.at} (${s.last_training.reason}): ${s.last_training.message}` : 'never';
  const rows: Array<[string, string]> = [
    ['buffer', exists ? path : `${path} (not created yet)`],
    ['readings', String(s.readings)],
    ['rejected', String(s.rejected)],
    ['assets', String(s.assets)],
    ['faults', String(s.faults)],
    ['oldest', time(s.oldest_ts)],
    ['newest', time(s.newest_ts)],
    ['size', `${mb(s.db_bytes)}, write-ahead log ${mb(s.wal_bytes)}`],
    ['dead letters', String(s.dead_letters)],
    ['outbox', String(s.outbox)],
    ['model', model],
    ['last training', lastRun],
    ['track record', trackSummary(s.track_record)],
    ...s.track_record.by_asset.map((g): [string, string] => ['', `${g.asset}${g.line === null ? '' : ` (${g.line})`}, model ${g.model_version}: ${trackSummary(g)}`]),
  ];
  return `${rows.map(([k, v]) => `${k.padEnd(13)} ${v}`).join('\n')}\n`;
}

/** "3 faults: warned 2 (mean 41.0 min before), alarmed 1 (mean 20.0 min before), 1 missed; 1 false alarm". */
function trackSummary(t: Omit<TrackRecordStatus, 'by_asset' | 'recent'>): string {
  if (t.faults === 0 && t.false_alarms === 0) return 'no faults or alarms judged yet';
  const minutes = (s: number | null): string => (s === null ? '' : ` (mean ${(s / 60).toFixed(1)} min before)`);
  const mae = t.mae_s === null ? '' : `, time-to-fault MAE ${t.mae_s.toFixed(0)} s`;
  return (
    `${t.faults} fault(s): warned ${t.faults - t.missed}${minutes(t.mean_warning_lead_s)}, alarmed ${t.faults - t.missed_alarm}${minutes(t.mean_alarm_lead_s)}, ` +
    `${t.missed} missed${mae}; ${t.false_alarms} false alarm(s)`
  );
}
