// The logger: pino, a child per module, secrets redacted. On stdout: JSON lines, each prefixed with
// its syslog priority when stdout is journald's stream, or text for people on a terminal.
import { fstatSync } from 'node:fs';
import { pino, type DestinationStream, type Level, type Logger, type StreamEntry } from 'pino';
import { formatLogLine } from './log-text.js';

export type { Logger };
export type LogLevel = Level;

/** What `faultline run` writes on stdout: see stdoutDestination. */
export type LogFormat = 'json' | 'journal' | 'text';

// Any field named like a secret, at any depth we log, is masked: configs and errors get logged whole.
const REDACT = ['password', '*.password', '*.*.password', '*.*.*.password', 'token', '*.token', 'authorization', '*.authorization'];

/** sd-daemon(3) priorities: journald reads a "<N>" prefix as the line's priority and strips it. */
const SYSLOG_PRIORITY: Record<Level, number> = { fatal: 2, error: 3, warn: 4, info: 6, debug: 7, trace: 7 };

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'faultline' },
      redact: { paths: REDACT, censor: '********' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * journald when JOURNAL_STREAM names stdout itself (systemd.exec(5): compare it with the device and
 * inode of the stream, since a child may inherit the variable with another stdout); else text on a
 * terminal; else JSON lines, for whatever collects them.
 */
export function stdoutLogFormat(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): LogFormat {
  const stream = env['JOURNAL_STREAM'];
  if (stream !== undefined && stream === stdoutIdentity()) return 'journal';
  return isTTY ? 'text' : 'json';
}

/** Where `format` lines go: `write` (default: stdout). */
export function logDestination(format: LogFormat, write: (line: string) => void = stdoutWrite()): DestinationStream {
  if (format === 'json') return { write };
  if (format === 'text') return { write: (line: string) => write(formatLogLine(line)) };
  // One stream per level; dedupe hands each line to the stream of its own level only.
  const streams: StreamEntry<Level>[] = Object.entries(SYSLOG_PRIORITY).map(([name, priority]) => ({
    level: name as Level,
    stream: { write: (line: string) => write(`<${priority}>${line}`) },
  }));
  return pino.multistream(streams, { dedupe: true });
}

/** Log lines to a file instead of stdout (the demo draws on the terminal). */
export function fileDestination(path: string): DestinationStream {
  return pino.destination({ dest: path, sync: true, mkdir: true });
}

function stdoutWrite(): (line: string) => void {
  const stdout = pino.destination({ dest: 1, sync: true });
  return (line) => void stdout.write(line);
}

/** "device:inode" of stdout, as systemd writes JOURNAL_STREAM; null when stdout cannot be examined. */
function stdoutIdentity(): string | null {
  try {
    const stat = fstatSync(1, { bigint: true });
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return null;
  }
}
