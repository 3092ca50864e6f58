// `faultline fleet`: the fleet's members as this gateway last heard them (issue 15): their episodes,
// recipe and age, and how many statistics messages were taken or refused. From the buffer alone.
import { existsSync } from 'node:fs';
import type { FleetConfig } from '../config/schema.js';
import { openDatabase, type Db } from '../store/db.js';
import { FleetMembers, type MemberSummary } from '../store/fleet-members.js';
import { payloadText } from '../store/dead-letters.js';
import { fleetMessages } from '../store/status.js';
import { EXIT } from '../exit-codes.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { loadConfigFor } from './load-config.js';

interface FleetReport {
  fleet: string | null;
  share: boolean;
  learn: boolean;
  /** fleet.members; empty: any agent of the fleet. */
  allowed: readonly string[];
  members: Array<MemberSummary & { age_s: number }>;
  messages: { accepted: number; cleared: number; rejected: Record<string, number> };
}

export const fleet: Command = {
  name: 'fleet',
  summary: "the fleet's members: their episodes, recipe and age",
  usage: 'faultline fleet [--config FILE] [--json]',
  notes:
    'Lists the latest statistics kept of each member of fleet.id (every fleet stored when fleet.id is not set)\n' +
    'and the messages on its statistics topics: accepted, cleared, and rejected by reason\n' +
    '(see `faultline dead-letters`). Exit status: 0.',
  options: [CONFIG_OPTION, { name: 'json', help: 'print one JSON object instead of a table' }],
  run: (ctx) => {
    const { config } = loadConfigFor(ctx);
    const path = config.storage.path;
    let report = emptyReport(config.fleet);
    if (existsSync(path)) {
      const db = openDatabase(path, { sync: config.storage.sync, readonly: true });
      try {
        report = readReport(db, config.fleet, Date.now());
      } finally {
        db.close();
      }
    }
    ctx.out(ctx.values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    return EXIT.ok;
  },
};

function emptyReport(config: FleetConfig): FleetReport {
  return { fleet: config.id, share: config.share, learn: config.learn, allowed: config.members, members: [], messages: { accepted: 0, cleared: 0, rejected: {} } };
}

function readReport(db: Db, config: FleetConfig, now: number): FleetReport {
  // A buffer the agent has not opened since an upgrade has no members' table yet (read-only: no migration).
  const hasTable = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'fleet_members'").get() !== undefined;
  if (!hasTable) return emptyReport(config);
  const members = new FleetMembers(db).list(config.id ?? undefined).map((m) => ({ ...m, age_s: Math.max(0, Math.round((now - m.received_at) / 1000)) }));
  const messages = fleetMessages(db);
  return { ...emptyReport(config), members, messages: { ...messages, rejected: Object.fromEntries(messages.rejected) } };
}

function formatReport(r: FleetReport): string {
  const on = (flag: boolean): string => (flag ? 'on' : 'off');
  const allowed = r.allowed.length === 0 ? 'any agent' : r.allowed.join(', ');
  const head = r.fleet === null ? 'none (fleet.id is not set)' : `${r.fleet} (share ${on(r.share)}, learn ${on(r.learn)}; members: ${allowed})`;
  const rejected = Object.entries(r.messages.rejected);
  const refusals = rejected.reduce((n, [, count]) => n + count, 0);
  const why = rejected.length === 0 ? '' : ` (${rejected.map(([reason, n]) => `${reason} ${n}`).join(', ')})`;
  const rows: Array<[string, string]> = [
    ['fleet', head],
    ['messages', `${r.messages.accepted} accepted, ${r.messages.cleared} cleared, ${refusals} rejected${why}`],
    ['members', r.members.length === 0 ? 'none heard yet' : String(r.members.length)],
  ];
  const lines = rows.map(([k, v]) => `${k.padEnd(9)} ${v}`);
  for (const m of r.members) {
    // Agent ids and recipe hashes come from the network: shown escaped.
    const name = r.fleet === null ? `${show(m.fleet)}/${show(m.agent)}` : show(m.agent);
    lines.push(`  ${name}  ${m.episodes} episode(s), recipe ${m.recipe === null ? 'none yet' : show(m.recipe)}, sent ${new Date(m.sent_at).toISOString()}, received ${age(m.age_s)} ago, ${(m.bytes / 1024).toFixed(1)} KB`);
  }
  return `${lines.join('\n')}\n`;
}

const show = (text: string): string => payloadText(Buffer.from(text, 'utf8'), 80);

function age(s: number): string {
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86_400).toFixed(1)} d`;
}
