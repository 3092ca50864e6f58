// The probe's report as a technician reads it: per config entry, the topics seen, how many messages,
// and for a sample of each kind whether the agent would store or reject it and why. Topic names
// and payloads come from the network: control characters are escaped before they reach a terminal.
import type { Judged } from '../ingest/routes.js';
import type { EntryTally, Sample } from './tally.js';

export interface ProbeContext {
  url: string;
  clientId: string;
  seconds: number;
  /** What the broker granted each filter (a reason code of 0x80 and up: refused). */
  granted: ReadonlyArray<{ topic: string; qos: number }>;
  /** Why the connection ended early, or null. */
  lost: string | null;
  unrouted: number;
}

const SHOWN_TOPICS = 5;
const PAYLOAD_CHARS = 100;

export function formatProbe(entries: readonly EntryTally[], ctx: ProbeContext): string {
  const lines = [
    `probe: connected to ${ctx.url} as ${ctx.clientId} (a clean session that ends with the probe, subscriptions at QoS 0: a running agent's session and queue are untouched)`,
    `listened ${formatSeconds(ctx.seconds)} to ${ctx.granted.length} topic filter(s)${ctx.lost === null ? '' : `; the connection was lost: ${ctx.lost}`}`,
    '',
  ];
  for (const e of entries) lines.push(...entryLines(e, ctx), '');
  const total = entries.reduce((n, e) => n + e.messages, 0);
  if (total === 0) {
    lines.push(
      `nothing arrived on any configured topic in ${formatSeconds(ctx.seconds)}. Check that the devices publish now, that the topic`,
      "patterns match what they publish (mosquitto_sub -v -t '#' on the broker lists every topic), and that the",
      "broker's ACL lets this user read them. Listen longer with --for, e.g. --for 1m.",
    );
  } else {
    const stored = entries.reduce((n, e) => n + e.stored, 0);
    const rejected = entries.reduce((n, e) => n + [...e.rejected.values()].reduce((a, b) => a + b, 0), 0);
    lines.push(`${total} message(s) in ${formatSeconds(ctx.seconds)}: ${stored} would be stored, ${rejected} rejected.`);
  }
  if (ctx.unrouted > 0) lines.push(`${ctx.unrouted} message(s) matched a filter but no entry (a captured level was empty): the agent rejects them as unknown_topic.`);
  return `${lines.join('\n')}\n`;
}

function entryLines(e: EntryTally, ctx: ProbeContext): string[] {
  const grant = ctx.granted.find((g) => g.topic === e.filter);
  const head = `${e.entry} ${e.pattern}${e.filter === e.pattern ? '' : ` (subscribed as ${e.filter})`}`;
  if (grant !== undefined && grant.qos >= 0x80) {
    return [head, `  the broker refused this subscription (reason code ${grant.qos}): its ACL does not let this user read ${e.filter}`];
  }
  if (e.messages === 0) return [head, `  nothing arrived in ${formatSeconds(ctx.seconds)}`];
  const topics = [...e.topics].sort((a, b) => b[1] - a[1]);
  const shown = topics.slice(0, SHOWN_TOPICS).map(([t, n]) => `${printable(t)} (${n})`);
  const more = topics.length - shown.length + (e.otherTopics > 0 ? 1 : 0);
  const distinct = e.otherTopics > 0 ? `more than ${topics.length}` : String(topics.length);
  const retained = e.retained > 0 ? `, ${e.retained} of them retained (kept by the broker, possibly old)` : '';
  const rejected = [...e.rejected].map(([reason, n]) => `${reason} ${n}`).join(', ');
  const verdicts = [
    `${e.stored} would be stored${e.readings > 0 ? ` (${e.readings} readings)` : ''}`,
    ...(rejected === '' ? [] : [`${[...e.rejected.values()].reduce((a, b) => a + b, 0)} rejected (${rejected})`]),
    ...(e.ignored > 0 ? [`${e.ignored} understood and not stored`] : []),
  ];
  return [
    head,
    `  ${e.messages} message(s) on ${distinct} topic(s)${retained}: ${shown.join(', ')}${more > 0 ? ', ...' : ''}`,
    `  ${verdicts.join(', ')}`,
    ...e.samples.map((s) => `  sample ${printable(s.topic)} ${payloadText(s.payload)}\n    ${verdict(s)}`),
  ];
}

function verdict(sample: Sample): string {
  const j: Judged = sample.judged;
  switch (j.kind) {
    case 'readings': {
      const first = j.readings[0];
      const values = j.readings.slice(0, 4).map((r) => `${printable(r.sensor)}=${r.value}`).join(', ');
      const where = first === undefined ? '' : ` of asset ${printable(first.asset)}${first.line === null ? '' : `, line ${printable(first.line)}`}, at ${new Date(first.ts).toISOString()}`;
      return `would be stored: ${j.readings.length} reading(s)${where}: ${values}${j.readings.length > 4 ? ', ...' : ''}`;
    }
    case 'fault':
      return `would be stored: a fault of asset ${printable(j.fault.asset)} at ${new Date(j.fault.ts).toISOString()}`;
    case 'rejected': {
      const hint =
        j.rejection.reason === 'sparkplug_no_birth' || j.rejection.reason === 'sparkplug_unknown_alias'
          ? ' (the probe saw no birth of this edge node in its short listen; the agent asks for a rebirth and stores what follows)'
          : '';
      return `would be rejected, ${j.rejection.reason}: ${printable(j.rejection.detail)}${hint}`;
    }
    case 'nothing':
      return `understood, nothing to store: ${j.detail}`;
  }
}

/** The payload as text when it is text (escaped, shortened), else its size. */
function payloadText(payload: Buffer): string {
  const text = payload.toString('utf8');
  if (payload.length === 0) return '(empty)';
  // Mostly unprintable or not UTF-8: binary, such as a Sparkplug protobuf.
  const unprintable = [...text].filter((c) => isControl(c.codePointAt(0)!) && !'\t\n\r'.includes(c)).length;
  if (text.includes('\uFFFD') || unprintable > text.length / 10) return `(${payload.length} bytes, binary)`;
  const shown = text.length > PAYLOAD_CHARS ? `${text.slice(0, PAYLOAD_CHARS)}...` : text;
  return JSON.stringify(shown);
}

/** Control characters (a terminal's escape sequences among them) written as \uXXXX. */
export function printable(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0)!;
    out += isControl(code) ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}

const isControl = (code: number): boolean => code < 0x20 || (code >= 0x7f && code <= 0x9f);

function formatSeconds(seconds: number): string {
  return seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
}
