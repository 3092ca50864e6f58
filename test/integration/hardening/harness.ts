// Shared pieces of the hardening suite (issue 7): agent configs for a Mosquitto handle, a publishing
// client for it, the agent's resident memory, and log timing. Test helper only; not imported by src.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { startAgent, type AgentProcess, type LogLine } from '../../helpers/cli.js';
import { writeConfig, type ConfigTree } from '../../helpers/config.js';
import type { MosquittoHandle } from '../../helpers/mosquitto.js';
import { onCleanup } from '../../helpers/teardown.js';

export const AGENT_ID = 'test-gw';
export const TELEMETRY = 'plant/+line/+asset/telemetry';
export const FAULTS = 'plant/+line/+asset/fault';

/** An agent config with the usual topics and quick reconnects; `mqtt` merges over the defaults. */
export function hardeningConfig(url: string, override: ConfigTree = {}): ConfigTree {
  const { mqtt, ...rest } = override;
  return {
    agent: { id: AGENT_ID },
    mqtt: { url, protocol_version: 5, reconnect_min: '100ms', reconnect_max: '400ms', keepalive: '5s', connect_timeout: '3s', ...(mqtt as ConfigTree | undefined) },
    telemetry: [{ topic: TELEMETRY }],
    faults: [{ topic: FAULTS }],
    ...rest,
  };
}

export interface Started {
  agent: AgentProcess;
  dbPath: string;
  configPath: string;
}

/** Writes the config into `dir` and starts `faultline run` on it (does not wait for anything). */
export function launch(dir: string, config: ConfigTree, env: Record<string, string> = {}, nodeFlags: readonly string[] = []): Started {
  const configPath = writeConfig(dir, config);
  return { agent: startAgent(configPath, { env, nodeFlags }), dbPath: join(dir, 'faultline.db'), configPath };
}

/** Resolves once the agent has logged `subscribed` more than `already` times. */
export async function subscribed(agent: AgentProcess, already = 0, ms = 15_000): Promise<void> {
  await agent.waitForLog(() => agent.logs.filter((l) => l.msg === 'subscribed').length > already, ms, 'that it subscribed');
}

/**
 * The port of the agent's HTTP endpoint, configured as 127.0.0.1:0 (a port picked beforehand could
 * be taken by another process before the agent binds it): the `n`th 'http listening' log line.
 */
export async function httpPort(agent: AgentProcess, n = 1): Promise<number> {
  await agent.waitForLog(() => agent.logs.filter((l) => l.msg === 'http listening').length >= n, 15_000, "'http listening'");
  return Number(agent.logs.filter((l) => l.msg === 'http listening')[n - 1]!['port']);
}

/** A test client on the broker's plain listener, MQTT 5, cleaned up with the test. */
export async function client(broker: MosquittoHandle, options: IClientOptions = {}): Promise<MqttClient> {
  const c = await connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 200, ...options });
  onCleanup(() => c.endAsync(true));
  return c;
}

/** Resident set size of a process in MB, as `ps -o rss` reports it (VmRSS in /proc). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb[1]) / 1024;
}

/** The highest RSS the process has had so far, in MB (VmHWM: the kernel's own peak, no sampling gaps). */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(kb[1]) / 1024;
}

/** Samples the RSS of `pid` every `everyMs` until stopped; returns all samples (MB). */
export function sampleRss(pid: number, everyMs = 250): { samples: number[]; stop: () => number[] } {
  const samples: number[] = [];
  const take = (): void => {
    try {
      samples.push(rssMb(pid));
    } catch {
      // the process is gone; the test will say so
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  onCleanup(() => clearInterval(timer));
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Milliseconds since the epoch of a pino line's ISO `time`. */
export function logTime(line: LogLine): number {
  return Date.parse(String(line['time']));
}

export function alive(agent: AgentProcess): boolean {
  return agent.child.exitCode === null && agent.child.signalCode === null;
}

/** Every byte the agent wrote, stdout (as JSON lines) and stderr. */
export function allOutput(agent: AgentProcess): string {
  return `${agent.logs.map((l) => JSON.stringify(l)).join('\n')}\n${agent.stray.join('\n')}\n${agent.stderr()}`;
}

/**
 * Lets `pid` run only `share` of each 100 ms (SIGSTOP/SIGCONT from a helper process, as cpulimit
 * does): a gateway with a fraction of this machine's CPU. Released at cleanup.
 */
export function throttle(pid: number, share: number): { release: () => Promise<void> } {
  const script = `
    const [pid, share] = [Number(process.argv[1]), Number(process.argv[2])];
    const send = (s) => { try { process.kill(pid, s); } catch { process.exit(0); } };
    process.on('SIGTERM', () => { send('SIGCONT'); process.exit(0); });
    const run = () => { send('SIGCONT'); setTimeout(() => { send('SIGSTOP'); setTimeout(run, 100 * (1 - share)); }, 100 * share); };
    run();`;
  const child = spawn(process.execPath, ['-e', script, String(pid), String(share)], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const release = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  };
  onCleanup(release);
  return { release };
}
