// What `faultline replay` tells the technician at the end: rows, messages, rejected rows with line
// numbers and why, duration and rate; as text or as one JSON object. Pure formatting.
import type { ReplaySummary } from './replay.js';

export interface SummaryContext {
  file: string;
  url: string;
  qos: 0 | 1;
}

/** Before 2000-01-01: almost surely relative times (cycles, seconds since start) read as epoch. */
const IMPLAUSIBLY_OLD_MS = Date.UTC(2000, 0, 1);

export function formatSummary(s: ReplaySummary, ctx: SummaryContext): string {
  const seconds = s.durationMs / 1000;
  const rate = seconds > 0 ? Math.round(s.messages / seconds) : s.messages;
  const telemetry = s.messages - s.faults;
  const lines = [
    `${s.interrupted ? 'interrupted replay of' : s.failure ? 'failed replay of' : 'replayed'} ${ctx.file} to ${ctx.url} (QoS ${ctx.qos})`,
    `  rows       ${s.rows} read: ${s.published} published, ${s.rejected} rejected`,
    `  messages   ${s.messages} (${telemetry} telemetry, ${s.faults} fault${s.faults === 1 ? '' : 's'}) on ${s.topics} topic${s.topics === 1 ? '' : 's'}, ` +
      `${s.acknowledged} ${ctx.qos === 1 ? 'acknowledged' : 'written'}`,
  ];
  if (s.firstTs !== null && s.lastTs !== null) lines.push(`  time span  ${iso(s.firstTs)} .. ${iso(s.lastTs)}`);
  lines.push(`  duration   ${seconds.toFixed(2)} s, ${rate} messages/s`);
  if (s.failure) lines.push(`  stopped    ${s.failure}`);
  if (s.rejected > 0) {
    lines.push(`rejected rows (${s.rejected}${s.rejected > s.rejections.length ? `, first ${s.rejections.length} shown` : ''}):`);
    for (const r of s.rejections) lines.push(`  line ${r.line}: ${r.problem}`);
  }
  return `${lines.join('\n')}\n`;
}

export function summaryJson(s: ReplaySummary, ctx: SummaryContext): string {
  const seconds = s.durationMs / 1000;
  return `${JSON.stringify({
    file: ctx.file,
    url: ctx.url,
    qos: ctx.qos,
    rows: s.rows,
    published: s.published,
    rejected: s.rejected,
    rejections: s.rejections,
    messages: s.messages,
    acknowledged: s.acknowledged,
    faults: s.faults,
    topics: s.topics,
    first_ts: s.firstTs,
    last_ts: s.lastTs,
    duration_s: Number(seconds.toFixed(3)),
    rate: seconds > 0 ? Math.round(s.messages / seconds) : null,
    interrupted: s.interrupted,
    failure: s.failure,
  })}\n`;
}

/** Warnings a technician should see even when the run succeeded. */
export function summaryWarnings(s: ReplaySummary): string[] {
  const warnings: string[] = [];
  if (s.firstTs !== null && s.firstTs < IMPLAUSIBLY_OLD_MS) {
    warnings.push(
      `timestamps start at ${iso(s.firstTs)}: the agent rejects readings older than storage.retention; ` +
        'for relative times (cycles, seconds since start) pass --ts-unit s --ts-origin now-1d or an ISO time',
    );
  }
  if (s.rows > 0 && s.published === 0) warnings.push('every row was rejected: check --columns, --separator and --ts-unit');
  return warnings;
}

function iso(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toISOString();
}
