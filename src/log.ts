// The logger: pino, JSON lines on stdout (journald keeps them), a child per module, secrets redacted.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

// Any field named like a secret, at any depth we log, is masked: configs and errors get logged whole.
const REDACT = ['password', '*.password', '*.*.password', '*.*.*.password', 'token', '*.token', 'authorization', '*.authorization'];

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

/** Log lines to a file instead of stdout (the demo draws on the terminal). */
export function fileDestination(path: string): DestinationStream {
  return pino.destination({ dest: path, sync: true, mkdir: true });
}
