// The demo's terminal view: a table redrawn in place (ANSI cursor codes) and a one-line status for
// logs and non-TTY output. Pure: state in, strings out; the caller writes them and owns the terminal.
import { DEFAULT_PREDICTION_TOPIC } from '../topics/contract.js';
import { parseTemplate } from '../topics/patterns.js';

export type DemoPhase = 'starting' | 'collecting' | 'training' | 'predicting' | 'stopping';
export type Level = 'ok' | 'warning' | 'alarm';

export interface DemoAssetRow {
  asset: string;
  risk?: number;
  level?: Level;
  timeToFaultS?: number;
  topFeature?: string;
  modelVersion?: string;
  /** RMSE in seconds of the model that made this row's prediction. */
  rmse?: number | null;
  /** The simulator's truth, shown beside the prediction when given. */
  actualTimeToFaultS?: number;
}

export interface DemoState {
  phase: DemoPhase;
  brokerUrl: string;
  port: number;
  /** The agent's status page, on a free loopback port. */
  pageUrl?: string;
  assets: DemoAssetRow[];
  faults: number;
  readings: number;
  predictions?: number;
  model?: { version: string; rmse: number | null; trainedAt: number | string };
  /** The version being trained, for "training model 3". */
  trainingVersion?: string;
  /** Labelled episodes the first training needs, for "need 2 episodes". */
  needEpisodes?: number;
  /** Time to fault at or beyond this is shown as "> 2h" (the model cannot see further). */
  horizonS?: number;
  /** Simulated event time, epoch ms. */
  eventTs?: number;
  /** Wall seconds since the demo started. */
  elapsedS?: number;
  message?: string;
}

export interface ScreenOptions {
  color: boolean;
  /** Terminal columns; no line is longer. */
  width: number;
  /** Plain # and - instead of block characters for the risk bar. */
  ascii?: boolean;
}

const ESC = '\u001b[';
/** Cursor and screen control; the caller hides the cursor while drawing and shows it on exit. */
export const TERMINAL = Object.freeze({ hideCursor: `${ESC}?25l`, showCursor: `${ESC}?25h`, clear: `${ESC}2J${ESC}H` });
const HOME = `${ESC}H`;
const CLEAR_LINE_END = `${ESC}K`;
const CLEAR_BELOW = `${ESC}J`;
const SGR = { reset: `${ESC}0m`, bold: `${ESC}1m`, dim: `${ESC}2m`, green: `${ESC}32m`, yellow: `${ESC}33m`, red: `${ESC}1;31m`, cyan: `${ESC}36m` } as const;
const LEVEL_COLOR: Record<Level, string> = { ok: SGR.green, warning: SGR.yellow, alarm: SGR.red };
const BAR_WIDTH = 10;
const NONE = '-';

/** Colour only on a terminal, never when NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function useColor(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return isTTY && env['TERM'] !== 'dumb';
}

/** "45s", "12m 5s", "1h 12m", "2d 3h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ''}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)}h` : ''}`;
}

/** What is happening, in words: the first line of the screen and of every status line. */
export function headline(state: DemoState): string {
  switch (state.phase) {
    case 'starting':
      return 'starting the broker, the line and the agent';
    case 'collecting': {
      const need = state.needEpisodes !== undefined ? `, need ${state.needEpisodes} episode${state.needEpisodes === 1 ? '' : 's'}` : '';
      return `collecting history (${state.faults} fault${state.faults === 1 ? '' : 's'} so far${need})`;
    }
    case 'training':
      return `training model ${state.trainingVersion ?? ''}`.trimEnd();
    case 'predicting':
      return state.model ? `predicting with model ${state.model.version}` : 'predicting';
    case 'stopping':
      return 'stopping';
  }
}

/** The subscribe hint: aedes speaks MQTT 3.1.1, hence -V 311. */
export function subscribeHint(state: Pick<DemoState, 'brokerUrl' | 'port'>): string {
  return `mosquitto_sub -h ${hostOf(state.brokerUrl)} -p ${state.port} -V 311 -t '${parseTemplate(DEFAULT_PREDICTION_TOPIC).filter}' -v`;
}

/** What plain (non-TTY) mode prints once at the start, before the status lines. */
export function renderIntro(state: DemoState): string {
  const page = state.pageUrl === undefined ? '' : `status page: ${state.pageUrl}\n`;
  return `faultline demo: broker ${state.brokerUrl}\n${page}watch the predictions with:\n  ${subscribeHint(state)}\n`;
}

/** The whole screen, drawn from the top-left over the previous one. */
export function renderScreen(state: DemoState, options: ScreenOptions): string {
  const paint = (code: string, text: string): string => (options.color ? `${code}${text}${SGR.reset}` : text);
  const lines: string[] = [];
  lines.push(`${paint(SGR.bold, 'faultline demo')}  ${paint(SGR.cyan, headline(state))}`);
  lines.push(paint(SGR.dim, facts(state).join(' · ')));
  if (state.message) lines.push(state.message);
  if (state.pageUrl !== undefined) lines.push(`status page: ${state.pageUrl}`);
  lines.push(`broker ${state.brokerUrl}; watch the predictions with:`);
  lines.push(`  ${subscribeHint(state)}`);
  lines.push('');
  lines.push(...table(state, options, paint));
  lines.push('');
  lines.push(paint(SGR.dim, 'Ctrl-C stops the demo'));
  return `${HOME}${lines.map((line) => `${fit(line, options.width)}${CLEAR_LINE_END}`).join('\n')}\n${CLEAR_BELOW}`;
}

/** One status line (no escape codes), for logs and for output that is not a terminal. */
export function renderLine(state: DemoState): string {
  const parts = [`${state.elapsedS !== undefined ? `[${formatDuration(state.elapsedS)}] ` : ''}${headline(state)}`, ...facts(state)];
  const assets = state.assets.map((a) =>
    a.risk === undefined ? `${a.asset} ${NONE}` : `${a.asset} ${a.risk.toFixed(2)} ${a.level ?? NONE} ${ttfText(a.timeToFaultS, state.horizonS)}`,
  );
  return `${[...parts, assets.join(', ')].filter((p) => p !== '').join(' | ')}\n`;
}

function facts(state: DemoState): string[] {
  const out: string[] = [];
  if (state.model) out.push(`model ${state.model.version}, RMSE ${state.model.rmse === null ? NONE : formatDuration(state.model.rmse)}`);
  out.push(`${state.faults} faults`, `${state.readings} readings`);
  if (state.predictions !== undefined) out.push(`${state.predictions} predictions`);
  if (state.eventTs !== undefined) out.push(`event time ${new Date(state.eventTs).toISOString().slice(0, 16).replace('T', ' ')}`);
  return out;
}

interface Column {
  title: string;
  width: number;
  /** Spaces before the column; default 2 (the bar sits 1 space after the risk it draws). */
  gap?: number;
  cell: (row: DemoAssetRow) => { text: string; color?: string };
}

/** Columns in the order shown; `optional` ones are dropped (last first) when the terminal is narrow. */
function table(state: DemoState, options: ScreenOptions, paint: (code: string, text: string) => string): string[] {
  const level = (row: DemoAssetRow): string | undefined => (row.level ? LEVEL_COLOR[row.level] : undefined);
  const assetWidth = Math.max(5, ...state.assets.map((a) => a.asset.length));
  const featureWidth = Math.max(11, ...state.assets.map((a) => (a.topFeature ?? '').length));
  const showActual = state.assets.some((a) => a.actualTimeToFaultS !== undefined);
  const required: Column[] = [
    { title: 'ASSET', width: assetWidth, cell: (r) => ({ text: r.asset }) },
    { title: 'RISK', width: 4, cell: (r) => ({ text: r.risk === undefined ? NONE : r.risk.toFixed(2) }) },
  ];
  const bar: Column = { title: '', width: BAR_WIDTH, gap: 1, cell: (r) => ({ text: riskBar(r.risk, options.ascii ?? false), ...withColor(level(r)) }) };
  const rest: Column[] = [
    { title: 'LEVEL', width: 7, cell: (r) => ({ text: r.level ?? NONE, ...withColor(level(r)) }) },
    { title: 'TIME TO FAULT', width: 13, cell: (r) => ({ text: r.timeToFaultS === undefined ? NONE : ttfText(r.timeToFaultS, state.horizonS) }) },
    ...(showActual ? [{ title: 'ACTUAL', width: 8, cell: (r: DemoAssetRow) => ({ text: r.actualTimeToFaultS === undefined ? NONE : formatDuration(r.actualTimeToFaultS) }) }] : []),
    { title: 'TOP FEATURE', width: featureWidth, cell: (r) => ({ text: r.topFeature ?? NONE }) },
    { title: 'MODEL', width: 5, cell: (r) => ({ text: r.modelVersion ?? NONE }) },
    { title: 'RMSE', width: 8, cell: (r) => ({ text: r.rmse === undefined || r.rmse === null ? NONE : formatDuration(r.rmse) }) },
  ];
  // Narrow terminals lose the bar first, then the rightmost columns; the line is cut at the width anyway.
  let columns = [...required, bar, ...rest];
  const total = (cols: Column[]): number => cols.reduce((sum, c, i) => sum + c.width + (i === 0 ? 0 : (c.gap ?? 2)), 0);
  const join = (cells: string[], cols: Column[]): string => cells.map((cell, i) => (i === 0 ? '' : ' '.repeat(cols[i]?.gap ?? 2)) + cell).join('');
  if (total(columns) > options.width) columns = [...required, ...rest];
  while (columns.length > 4 && total(columns) > options.width) columns = columns.slice(0, -1);
  const header = join(columns.map((c) => c.title.padEnd(c.width)), columns).trimEnd();
  const rows = state.assets.map((row) =>
    join(
      columns.map((c) => {
        const { text, color } = c.cell(row);
        const padded = text.padEnd(c.width);
        return color ? paint(color, padded) : padded;
      }),
      columns,
    ).trimEnd(),
  );
  return [paint(SGR.bold, header), ...rows];
}

function withColor(color: string | undefined): { color?: string } {
  return color === undefined ? {} : { color };
}

function riskBar(risk: number | undefined, ascii: boolean): string {
  if (risk === undefined) return ' '.repeat(BAR_WIDTH);
  const filled = Math.round(Math.min(1, Math.max(0, risk)) * BAR_WIDTH);
  return (ascii ? '#' : '█').repeat(filled) + (ascii ? '-' : '░').repeat(BAR_WIDTH - filled);
}

function ttfText(seconds: number | undefined, horizonS: number | undefined): string {
  if (seconds === undefined) return NONE;
  if (horizonS !== undefined && seconds >= horizonS) return `> ${formatDuration(horizonS)}`;
  return formatDuration(seconds);
}

/** Cuts a line to `width` visible characters, keeping escape codes intact and closing any colour. */
export function fit(line: string, width: number): string {
  let visible = 0;
  let out = '';
  let colored = false;
  for (let i = 0; i < line.length; ) {
    if (line.startsWith(ESC, i)) {
      const end = line.slice(i).search(/[A-Za-z]/);
      if (end < 0) return out; // a cut-off escape sequence: drop it rather than print half of it
      const code = line.slice(i, i + end + 1);
      out += code;
      colored = code !== SGR.reset;
      i += end + 1;
      continue;
    }
    const ch = String.fromCodePoint(line.codePointAt(i) as number);
    if (visible >= width) return colored ? `${out}${SGR.reset}` : out;
    out += ch;
    visible++;
    i += ch.length;
  }
  return out;
}

/** Visible length of a line (escape codes take no columns). */
export function visibleLength(line: string): number {
  // eslint-disable-next-line no-control-regex -- ESC starts the escape codes this removes
  return [...line.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')].length;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || '127.0.0.1';
  } catch {
    return '127.0.0.1';
  }
}
