// Replaying a delimited file as MQTT telemetry: plan the columns from the first line, then publish
// one message per row (and, with faultAtEnd, a fault after each asset's last row). File, broker and
// clock come in as arguments; this module never opens a file or a connection itself.
import { parseTemplate, type TopicTemplate } from '../topics/patterns.js';
import { detectSeparator, isBlank, splitFields, type Separator } from './csv.js';
import { createPacer, type Clock } from './pace.js';
import { payloadOf, planColumns, readRow, type ColumnOptions, type ColumnPlan, type Row } from './rows.js';
import { errorMessage } from '../error-message.js';

/** Column options without placeholders: those come from the topic templates. */
export interface ReplaySettings extends Omit<ColumnOptions, 'placeholders'> {
  /** Column names for a file without a header row; null: the first line is the header. */
  columns: string[] | null;
  /** null: guessed from the first line. */
  separator: Separator | null;
  topic: string;
  faultTopic: string;
  /** Publish {"ts": last row's ts} on the fault topic after each asset's last row (run-to-failure data). */
  faultAtEnd: boolean;
  qos: 0 | 1;
  /** Messages per second; null: as fast as flow control allows. */
  rate: number | null;
}

export const DEFAULT_TOPIC = 'plant/{line}/{asset}/telemetry';
export const DEFAULT_FAULT_TOPIC = 'plant/{line}/{asset}/fault';
/** The line an asset is published under when the file has no line column and --line is not given. */
export const DEFAULT_LINE = 'line1';

export interface ReplayPlan {
  settings: ReplaySettings;
  separator: Separator;
  columns: ColumnPlan;
  /** The first line is a header, not data. */
  skipFirstLine: boolean;
  topic: TopicTemplate;
  faultTopic: TopicTemplate;
}

/** A line from the file with its 1-based number. */
export interface NumberedLine {
  number: number;
  text: string;
}

export interface ReplayPublisher {
  publish(topic: string, payload: string, qos: 0 | 1): Promise<void>;
  ready(): Promise<void>;
}

export interface ReplayProgress {
  rows: number;
  messages: number;
  elapsedMs: number;
}

export interface ReplayDeps {
  /** Opens the file's lines; called twice when faultAtEnd (the first pass finds each asset's last row). */
  lines: () => AsyncIterable<NumberedLine>;
  publisher: ReplayPublisher;
  clock: Clock;
  /** Wall time (epoch ms) for rows without a timestamp column. */
  wallNow: () => number;
  /** True once the run should stop early (Ctrl-C). */
  stopRequested?: () => boolean;
  onProgress?: (progress: ReplayProgress) => void;
  progressEveryMs?: number;
}

export interface Rejection {
  line: number;
  problem: string;
}

export interface ReplaySummary {
  /** Data rows read (blank lines and the header are not rows). */
  rows: number;
  /** Rows published as telemetry. */
  published: number;
  rejected: number;
  /** The first MAX_LISTED rejections, in file order. */
  rejections: Rejection[];
  /** Messages handed to the broker (telemetry and faults) and how many it acknowledged. */
  messages: number;
  acknowledged: number;
  faults: number;
  /** Distinct topics published to: one per asset. */
  topics: number;
  firstTs: number | null;
  lastTs: number | null;
  durationMs: number;
  interrupted: boolean;
  /** Why the run stopped before the end of the file (the broker went away or refused a message). */
  failure: string | null;
}

export const MAX_LISTED = 20;

/** Plans the replay from the file's first non-blank line, or says what is wrong (a usage error). */
export function planReplay(settings: ReplaySettings, firstLine: string | null): { plan: ReplayPlan } | { problem: string } {
  let topic: TopicTemplate;
  let faultTopic: TopicTemplate;
  try {
    topic = parseTemplate(settings.topic);
  } catch (error) {
    return { problem: `--topic "${settings.topic}" ${errorMessage(error)}` };
  }
  try {
    faultTopic = parseTemplate(settings.faultTopic);
  } catch (error) {
    return { problem: `--fault-topic "${settings.faultTopic}" ${errorMessage(error)}` };
  }
  if (firstLine === null) return { problem: 'the file is empty' };
  const separator = settings.separator ?? detectSeparator(firstLine);
  let names = settings.columns;
  if (names === null) {
    const header = splitFields(firstLine, separator);
    if ('problem' in header) return { problem: `the header line: ${header.problem}` };
    names = header.fields;
  }
  const placeholders = [...new Set([...topic.names, ...(settings.faultAtEnd ? faultTopic.names : [])])];
  const planned = planColumns(names, { ...settings, placeholders });
  if ('problem' in planned) return planned;
  return { plan: { settings, separator, columns: planned.plan, skipFirstLine: settings.columns === null, topic, faultTopic } };
}

type Parsed = { kind: 'blank' } | { kind: 'row'; row: Row } | { kind: 'rejected'; problem: string };

/** One line of the file: blank (or the header), a row, or a row rejected with its problem. */
export function parseLine(plan: ReplayPlan, line: NumberedLine, first: boolean): Parsed {
  if (isBlank(line.text) || (first && plan.skipFirstLine)) return { kind: 'blank' };
  const split = splitFields(line.text, plan.separator);
  if ('problem' in split) return { kind: 'rejected', problem: split.problem };
  const read = readRow(split.fields, plan.columns, plan.settings);
  return 'problem' in read ? { kind: 'rejected', problem: read.problem } : { kind: 'row', row: read.row };
}

/** First pass for faultAtEnd: the line number of each fault topic's (asset's) last good row. */
async function lastRows(plan: ReplayPlan, lines: AsyncIterable<NumberedLine>): Promise<Map<string, number>> {
  const last = new Map<string, number>();
  let first = true;
  for await (const line of lines) {
    const parsed = parseLine(plan, line, first);
    if (!isBlank(line.text)) first = false;
    if (parsed.kind === 'row') last.set(plan.faultTopic.render(parsed.row.labels), line.number);
  }
  return last;
}

export async function replay(plan: ReplayPlan, deps: ReplayDeps): Promise<ReplaySummary> {
  const { settings } = plan;
  const faultsAfter = settings.faultAtEnd ? await lastRows(plan, deps.lines()) : new Map<string, number>();
  const pacer = createPacer(settings.rate, deps.clock);
  const started = deps.clock.now();
  const everyMs = deps.progressEveryMs ?? 2_000;
  let nextProgress = started + everyMs;
  const summary: ReplaySummary = {
    rows: 0, published: 0, rejected: 0, rejections: [], messages: 0, acknowledged: 0, faults: 0,
    topics: 0, firstTs: null, lastTs: null, durationMs: 0, interrupted: false, failure: null,
  };
  const topics = new Set<string>();
  const outstanding = new Set<Promise<void>>();
  const send = async (topic: string, payload: string): Promise<void> => {
    await pacer.wait();
    await deps.publisher.ready();
    summary.messages++;
    // Not awaited: up to the publisher's inflight limit are outstanding at once.
    const settled = deps.publisher.publish(topic, payload, settings.qos).then(
      () => void summary.acknowledged++,
      (error: unknown) => void (summary.failure ??= errorMessage(error)),
    );
    outstanding.add(settled);
    void settled.then(() => outstanding.delete(settled));
  };
  let first = true;
  for await (const line of deps.lines()) {
    if (summary.failure !== null) break;
    if (deps.stopRequested?.()) {
      summary.interrupted = true;
      break;
    }
    const parsed = parseLine(plan, line, first);
    if (!isBlank(line.text)) first = false;
    if (parsed.kind === 'blank') continue;
    summary.rows++;
    if (parsed.kind === 'rejected') {
      summary.rejected++;
      if (summary.rejections.length < MAX_LISTED) summary.rejections.push({ line: line.number, problem: parsed.problem });
      continue;
    }
    const { row } = parsed;
    const ts = row.ts ?? deps.wallNow();
    const topic = plan.topic.render(row.labels);
    topics.add(topic);
    await send(topic, payloadOf(ts, row.values));
    summary.published++;
    summary.firstTs ??= ts;
    summary.lastTs = ts;
    const faultTopic = plan.faultTopic.render(row.labels);
    if (faultsAfter.get(faultTopic) === line.number) {
      await send(faultTopic, `{"ts":${ts}}`);
      summary.faults++;
    }
    if (deps.onProgress && deps.clock.now() >= nextProgress) {
      nextProgress = deps.clock.now() + everyMs;
      deps.onProgress({ rows: summary.rows, messages: summary.messages, elapsedMs: deps.clock.now() - started });
    }
  }
  await Promise.all(outstanding);
  summary.topics = topics.size;
  summary.durationMs = deps.clock.now() - started;
  return summary;
}
