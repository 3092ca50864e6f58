// Runs the built `faultline` CLI (dist/main.js) as a real process: one-shot commands with runCli,
// the long-running agent with startAgent. Processes are killed at cleanup.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFailed } from 'vitest';
import { onCleanup } from './teardown.js';
import { waitUntil } from './wait.js';

export const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for child processes: the caller's PATH and HOME, no stray FAULTLINE_* overrides. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('FAULTLINE_')) env[key] = value;
  return { ...env, ...extra };
}

export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd: options.cwd ?? REPO, env: cleanEnv(options.env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`faultline ${args.join(' ')} did not exit within ${options.timeoutMs ?? 20_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface AgentProcess {
  child: ChildProcess;
  logs: LogLine[];
  stderr: () => string;
  /** Output that is not a JSON log line (should stay empty). */
  stray: string[];
  waitForLog: (match: (line: LogLine) => boolean, ms: number, what: string) => Promise<LogLine>;
  /** Sends `signal` and resolves with the exit code and how long the exit took. */
  stop: (signal?: NodeJS.Signals, ms?: number) => Promise<{ code: number | null; signal: NodeJS.Signals | null; elapsedMs: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `faultline run --config FILE` (after `nodeFlags`, Node.js's own) and collects its JSON log lines. */
export function startAgent(
  configFile: string,
  options: { env?: Record<string, string>; cwd?: string; args?: string[]; nodeFlags?: readonly string[] } = {},
): AgentProcess {
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), MAIN, 'run', '--config', configFile, ...(options.args ?? [])], {
    cwd: options.cwd ?? REPO,
    env: cleanEnv(options.env),
  });
  const logs: LogLine[] = [];
  const stray: string[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        stray.push(line);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  try {
    onTestFailed(() => {
      process.stderr.write(agentLogDigest(logs, stderr));
    });
  } catch {
    // started outside a test (in a hook): nothing to attach the digest to
  }
  const waitForLog = (match: (line: LogLine) => boolean, ms: number, what: string): Promise<LogLine> =>
    waitUntil(
      () => {
        const found = logs.find(match);
        if (!found && (child.exitCode !== null || child.signalCode !== null)) {
          throw new Error(`agent exited (${child.exitCode ?? child.signalCode}) before logging ${what}; stderr: ${stderr}`);
        }
        return found;
      },
      ms,
      `the agent logs ${what}`,
    );
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', ms = 10_000) => {
    const started = Date.now();
    child.kill(signal);
    const result = await waitUntil(() => (child.exitCode !== null || child.signalCode !== null ? exited : null), ms, `the agent exits after ${signal}`);
    return { ...result, elapsedMs: Date.now() - started };
  };
  return { child, logs, stray, stderr: () => stderr, waitForLog, stop, exited };
}

/** What a failed test prints about its agent: every warning and error, then the last lines. */
function agentLogDigest(logs: readonly LogLine[], stderr: string): string {
  const problems = logs.filter((l) => l.level === 'warn' || l.level === 'error' || l.level === 'fatal').slice(-40);
  const tail = logs.slice(-30);
  const show = (lines: readonly LogLine[]) => lines.map((l) => `  ${JSON.stringify(l)}`).join('\n');
  return `\n--- agent log: ${logs.length} lines; last warnings and errors:\n${show(problems)}\n--- last lines:\n${show(tail)}\n--- stderr:\n${stderr.slice(-2000)}\n`;
}
