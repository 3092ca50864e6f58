// `faultline dead-letters`: what ingest rejected and why, newest first, from the buffer alone
// (works whether or not the agent is running).
import { existsSync } from 'node:fs';
import { FLEET_DEFECTS } from '../fleet/codec.js';
import { REJECT_REASONS } from '../ingest/reasons.js';
import { openDatabase } from '../store/db.js';
import { listDeadLetters, payloadText, type DeadLetter } from '../store/dead-letters.js';
import { EXIT } from '../exit-codes.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { loadConfigFor } from './load-config.js';

const DEFAULT_LIMIT = 20;
/** Ingest's reasons, then the fleet's (their names are apart: test/unit/fleet/codec.test.ts). */
const REASONS: readonly string[] = [...REJECT_REASONS, ...FLEET_DEFECTS];
/** Bytes of each payload the table shows; --json gives every byte kept. */
const SHOWN_BYTES = 48;

export const deadLetters: Command = {
  name: 'dead-letters',
  summary: 'list rejected messages with their reason, newest first',
  usage: 'faultline dead-letters [--reason R] [--limit N] [--json] [--config FILE]',
  notes:
    'The buffer keeps the latest storage.dead_letters rejections, each with the first 1 KB of its payload.\n' +
    `Reasons: ${REJECT_REASONS.join(', ')}.\n` +
    `Fleet statistics (issue 15): ${FLEET_DEFECTS.join(', ')}.\n` +
    'Exit status: 0 listed (also when there are none), 64 bad usage.',
  options: [
    CONFIG_OPTION,
    { name: 'reason', value: 'R', help: 'only those rejected for this reason (the reasons are below)' },
    { name: 'limit', value: 'N', help: `at most N (default ${DEFAULT_LIMIT})` },
    { name: 'json', help: 'one JSON object per line, with the kept payload in base64' },
  ],
  run: (ctx) => {
    const reason = ctx.values.reason as string | undefined;
    const limitText = (ctx.values.limit as string | undefined) ?? String(DEFAULT_LIMIT);
    const limit = /^\d{1,9}$/.test(limitText) ? Number(limitText) : NaN;
    if (!(limit > 0)) {
      ctx.err(`faultline dead-letters: --limit takes a whole number above 0 (got "${limitText}")\n`);
      return EXIT.usage;
    }
    if (reason !== undefined && !REASONS.includes(reason)) {
      ctx.err(`faultline dead-letters: unknown reason "${reason}"; reasons are ${REASONS.join(', ')}\n`);
      return EXIT.usage;
    }
    const { config } = loadConfigFor(ctx);
    const path = config.storage.path;
    let letters: DeadLetter[] = [];
    if (existsSync(path)) {
      const db = openDatabase(path, { sync: config.storage.sync, readonly: true });
      try {
        letters = listDeadLetters(db, { reason, limit });
      } finally {
        db.close();
      }
    }
    if (ctx.values.json) {
      for (const d of letters) ctx.out(`${JSON.stringify(asJson(d))}\n`);
      return EXIT.ok;
    }
    if (letters.length === 0) {
      ctx.out(`no dead letters${reason === undefined ? '' : ` with reason ${reason}`} in ${path}\n`);
      return EXIT.ok;
    }
    ctx.out(letters.map(asText).join('\n'));
    return EXIT.ok;
  },
};

function asJson(d: DeadLetter): Record<string, unknown> {
  return {
    id: d.id,
    received_at: new Date(d.received_at).toISOString(),
    topic: d.topic,
    reason: d.reason,
    detail: d.detail,
    payload_bytes: d.payload_bytes,
    payload_base64: d.payload.toString('base64'),
  };
}

/** Three lines each: when, reason and topic; the detail; the payload's first bytes. Untrusted text is escaped. */
function asText(d: DeadLetter): string {
  const topic = payloadText(Buffer.from(d.topic, 'utf8'), 200);
  const detail = payloadText(Buffer.from(d.detail ?? '', 'utf8'), 300);
  return `${new Date(d.received_at).toISOString()}  ${d.reason}  ${topic}\n  ${detail}\n  ${d.payload_bytes} bytes: ${payloadText(d.payload, SHOWN_BYTES)}\n`;
}
