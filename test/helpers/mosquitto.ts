// Real Mosquitto brokers for integration tests: locate the binary, skip visibly when it is missing,
// and run throwaway brokers (generated config, loopback ephemeral ports, auto-cleanup).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { serverCert, testCerts, type ServerCertKind, type TestCerts } from './certs.js';
import { freePort, LOOPBACK, waitForPort } from './ports.js';
import { onCleanup, onProcessExit, tempDir } from './teardown.js';
import { describeWithTool, findExecutable, locate, type Tool } from './tools.js';
import { withDeadline } from './wait.js';
import { errorMessage } from '../../src/error-message.js';

const execFileAsync = promisify(execFile);

export const MOSQUITTO_INSTALL_HINT = 'sudo apt-get install -y mosquitto mosquitto-clients';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const SIGNAL_RESEND_MS = 100;
const MAX_LOG_CHARS = 8 * 1024 * 1024;
const START_ATTEMPTS = 3;

// ---------------------------------------------------------------------------------------------
// Locating the binaries

/**
 * Path of the mosquitto broker, or undefined when it is not installed. $MOSQUITTO_BIN, when set,
 * is the only candidate (MOSQUITTO_BIN=/nonexistent simulates a machine without mosquitto).
 */
export const mosquittoPath = locate('MOSQUITTO_BIN', 'mosquitto');

export function hasMosquitto(): boolean {
  return mosquittoPath() !== undefined;
}

const MOSQUITTO: Tool = { name: 'mosquitto', path: mosquittoPath, install: MOSQUITTO_INSTALL_HINT };

/**
 * `describe` when mosquitto is installed; otherwise a visible skipped suite whose title says how to
 * install it, plus one warning line on stderr.
 */
export function describeWithMosquitto(name: string, fn: () => void): void {
  describeWithTool(MOSQUITTO, name, fn);
}

// ---------------------------------------------------------------------------------------------
// Options and handle

export interface MosquittoTlsOptions {
  /** `require_certificate true`: clients must present a cert signed by the test CA. */
  requireClientCert?: boolean;
  /** Which server certificate the TLS listener presents (default 'good'). */
  serverCert?: ServerCertKind;
}

export interface MosquittoOptions {
  /** Plain TCP listener (default true). */
  plain?: boolean;
  /** Adds a TLS listener using the certs from certs.ts. */
  tls?: MosquittoTlsOptions;
  /** username -> password; writes a password file and disables anonymous access. */
  users?: Record<string, string>;
  /** ACL file contents, e.g. "user faultline\ntopic read plant/#\ntopic write faultline/#". */
  acl?: string;
  /** persistence on, stored in the broker's temp dir (saved on stop(), reloaded on restart()). */
  persistence?: boolean;
  maxQueuedMessages?: number;
  /** Outgoing QoS 1/2 in flight per client (mosquitto default 20; 0 = no limit). */
  maxInflightMessages?: number;
  messageSizeLimit?: number;
  /** `log_type all` (default true, includes per-packet debug lines); false = error..information. */
  verboseLogs?: boolean;
  /** Appended before the listener blocks, so plain options here are global. */
  extraConfig?: string;
  /** Deadline for the broker to become ready (default 10 s). */
  readyTimeoutMs?: number;
}

export interface MosquittoHandle {
  /** mqtt://127.0.0.1:port (throws if started with plain: false). */
  readonly url: string;
  /** mqtts://127.0.0.1:tlsPort (throws if started without tls). */
  readonly tlsUrl: string;
  readonly port: number;
  readonly tlsPort: number;
  /** Temp dir holding mosquitto.conf, passwd, acl and the persistence db. */
  readonly dir: string;
  readonly configPath: string;
  /** The test PKI (throws if started without tls). */
  readonly certs: TestCerts;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** Everything the broker wrote to stdout/stderr, across restarts (last 8 MiB). */
  logs(): string;
  /** Opaque position in the log stream, for waitForLog(..., since). */
  logMark(): number;
  /** Resolves with the first matching line written after `since` (default: start of logs). */
  waitForLog(pattern: RegExp | string, ms: number, since?: number): Promise<string>;
  /** SIGTERM and wait for exit (mosquitto saves persistence on SIGTERM). */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit (nothing is saved). */
  kill(): Promise<void>;
  /** Stops if running, then starts again with the same ports and config; resolves when ready. */
  restart(): Promise<void>;
}

/** Starts a broker; it is killed and its dir removed automatically when the test/suite ends. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoHandle> {
  const bin = mosquittoPath();
  if (!bin) throw new Error(`mosquitto not installed (${MOSQUITTO_INSTALL_HINT})`);
  const dir = await tempDir('mosquitto');
  const certs = options.tls ? await testCerts() : undefined;
  const broker = new MosquittoBroker(bin, dir, options, certs);
  onCleanup(() => broker.kill());
  await broker.prepareFiles();
  await broker.startFresh();
  return broker;
}

// ---------------------------------------------------------------------------------------------
// Implementation

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

class MosquittoBroker implements MosquittoHandle {
  readonly configPath: string;
  private plainPort: number | undefined;
  private securePort: number | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });
  private forgetExitKill: (() => void) | undefined;
  private output = '';
  private droppedChars = 0;
  private readonly outputEvents = new EventEmitter();

  constructor(
    private readonly bin: string,
    readonly dir: string,
    private readonly options: MosquittoOptions,
    private readonly pki: TestCerts | undefined,
  ) {
    this.configPath = path.join(dir, 'mosquitto.conf');
  }

  get url(): string {
    return `mqtt://${LOOPBACK}:${this.port}`;
  }

  get tlsUrl(): string {
    return `mqtts://${LOOPBACK}:${this.tlsPort}`;
  }

  get port(): number {
    if (this.plainPort === undefined) throw new Error('this broker has no plain listener (plain: false)');
    return this.plainPort;
  }

  get tlsPort(): number {
    if (this.securePort === undefined) throw new Error('this broker has no TLS listener (pass tls: {})');
    return this.securePort;
  }

  get certs(): TestCerts {
    if (!this.pki) throw new Error('this broker has no TLS listener (pass tls: {})');
    return this.pki;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  logs(): string {
    return this.output;
  }

  logMark(): number {
    return this.droppedChars + this.output.length;
  }

  async waitForLog(pattern: RegExp | string, ms: number, since = 0): Promise<string> {
    let check = (): void => undefined;
    const found = new Promise<string>((resolve) => {
      check = () => {
        const line = findLine(this.outputSince(since), pattern);
        if (line !== undefined) resolve(line);
      };
    });
    this.outputEvents.on('data', check);
    try {
      check();
      return await withDeadline(found, ms, `mosquitto log line matching ${String(pattern)}`);
    } catch (err) {
      throw new Error(`${errorMessage(err)}; log tail:\n${tail(this.output)}`, { cause: err });
    } finally {
      this.outputEvents.off('data', check);
    }
  }

  async prepareFiles(): Promise<void> {
    const { users, acl } = this.options;
    if (users && Object.keys(users).length > 0) await writePasswordFile(this.passwordPath, users);
    if (acl !== undefined) await writeFile(this.aclPath, acl.endsWith('\n') ? acl : `${acl}\n`);
  }

  /** First start: picks ports, retrying with new ones if another process grabbed them meanwhile. */
  async startFresh(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.allocatePorts();
      await writeFile(this.configPath, this.renderConfig());
      try {
        await this.startAndWaitReady();
        return;
      } catch (err) {
        if (attempt >= START_ATTEMPTS || !/Address already in use/i.test(this.output)) throw err;
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startAndWaitReady();
  }

  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
  }

  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(signal);
    // Mosquitto 2.0 sets `run = 1` *after* installing its handlers and logging "running", so a
    // SIGTERM landing in that window is forgotten: repeat it until the process is gone.
    const resend = setInterval(() => child.kill(signal), SIGNAL_RESEND_MS);
    try {
      await withDeadline(this.exited, STOP_TIMEOUT_MS, `mosquitto (pid ${child.pid}) to exit after ${signal}`);
    } catch (err) {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`${errorMessage(err)}; log tail:\n${tail(this.output)}`, { cause: err });
    } finally {
      clearInterval(resend);
    }
  }

  private async startAndWaitReady(): Promise<void> {
    const runStart = this.logMark();
    this.launch();
    try {
      await this.waitReady(runStart);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  private launch(): void {
    const child = spawn(this.bin, ['-c', this.configPath], {
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    this.forgetExitKill?.();
    const forget = onProcessExit(() => child.kill('SIGKILL'));
    this.forgetExitKill = forget;
    void this.exited.then(forget);
  }

  /** Ready = mosquitto logged "running" (all listeners bound) and every listener accepts TCP. */
  private async waitReady(runStart: number): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    const exitedEarly = this.exited.then((info) => {
      throw new Error(`mosquitto exited before it was ready (${describeExit(info)}); log tail:\n${tail(this.output)}`);
    });
    const ready = (async (): Promise<void> => {
      await this.waitForLog(/mosquitto version \S+ running/, deadline - Date.now(), runStart);
      for (const port of this.listenerPorts()) await waitForPort(port, Math.max(1, deadline - Date.now()));
    })();
    exitedEarly.catch(() => undefined);
    ready.catch(() => undefined);
    await Promise.race([ready, exitedEarly]);
  }

  private async allocatePorts(): Promise<void> {
    this.plainPort = this.options.plain === false ? undefined : await freePort();
    this.securePort = this.options.tls ? await freePort() : undefined;
  }

  private listenerPorts(): number[] {
    return [this.plainPort, this.securePort].filter((p): p is number => p !== undefined);
  }

  private append(chunk: string): void {
    this.output += chunk;
    if (this.output.length > MAX_LOG_CHARS) {
      const excess = this.output.length - MAX_LOG_CHARS;
      this.output = this.output.slice(excess);
      this.droppedChars += excess;
    }
    this.outputEvents.emit('data');
  }

  private outputSince(mark: number): string {
    return this.output.slice(Math.max(0, mark - this.droppedChars));
  }

  private get passwordPath(): string {
    return path.join(this.dir, 'passwd');
  }

  private get aclPath(): string {
    return path.join(this.dir, 'acl');
  }

  private renderConfig(): string {
    return [
      '# generated by test/helpers/mosquitto.ts',
      ...this.globalLines(),
      ...(this.options.extraConfig ? ['', '# extraConfig', this.options.extraConfig] : []),
      ...this.plainListenerLines(),
      ...this.tlsListenerLines(),
      '',
    ].join('\n');
  }

  private globalLines(): string[] {
    const o = this.options;
    const hasUsers = o.users !== undefined && Object.keys(o.users).length > 0;
    const lines = ['per_listener_settings false', `allow_anonymous ${hasUsers ? 'false' : 'true'}`];
    // As root, mosquitto would switch to user "mosquitto", which cannot use our 0700 temp dir.
    if (process.getuid?.() === 0) lines.push(`user ${os.userInfo().username}`);
    if (hasUsers) lines.push(`password_file ${this.passwordPath}`);
    if (o.acl !== undefined) lines.push(`acl_file ${this.aclPath}`);
    if (o.persistence) lines.push('persistence true', `persistence_location ${this.dir}${path.sep}`);
    if (o.maxQueuedMessages !== undefined) lines.push(`max_queued_messages ${o.maxQueuedMessages}`);
    if (o.maxInflightMessages !== undefined) lines.push(`max_inflight_messages ${o.maxInflightMessages}`);
    if (o.messageSizeLimit !== undefined) lines.push(`message_size_limit ${o.messageSizeLimit}`);
    // stderr, not stdout: mosquitto's stdout is block-buffered when piped, so lines would arrive late.
    lines.push('log_dest stderr', 'log_timestamp true', 'connection_messages true');
    const logTypes = o.verboseLogs === false ? ['error', 'warning', 'notice', 'information'] : ['all'];
    lines.push(...logTypes.map((type) => `log_type ${type}`));
    return lines;
  }

  private plainListenerLines(): string[] {
    return this.plainPort === undefined ? [] : ['', `listener ${this.plainPort} ${LOOPBACK}`];
  }

  private tlsListenerLines(): string[] {
    const tls = this.options.tls;
    if (!tls || this.securePort === undefined || !this.pki) return [];
    const presented = serverCert(this.pki, tls.serverCert ?? 'good');
    return [
      '',
      `listener ${this.securePort} ${LOOPBACK}`,
      `cafile ${this.pki.ca.cert}`,
      `certfile ${presented.cert}`,
      `keyfile ${presented.key}`,
      `require_certificate ${tls.requireClientCert ? 'true' : 'false'}`,
    ];
  }
}

async function writePasswordFile(file: string, users: Record<string, string>): Promise<void> {
  const tool = findExecutable('mosquitto_passwd');
  if (!tool) throw new Error(`mosquitto_passwd not installed (${MOSQUITTO_INSTALL_HINT})`);
  let first = true;
  for (const [user, password] of Object.entries(users)) {
    const args = first ? ['-c', '-b', file, user, password] : ['-b', file, user, password];
    await execFileAsync(tool, args);
    first = false;
  }
}

function findLine(text: string, pattern: RegExp | string): string | undefined {
  return text.split('\n').find((line) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line)));
}

function describeExit(info: ExitInfo): string {
  if (info.error) return `spawn failed: ${info.error.message}`;
  return info.signal ? `signal ${info.signal}` : `exit code ${String(info.code)}`;
}

function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}
