// Starts a throwaway Mosquitto on a free loopback port for benchmarks (tests have their own helper,
// which depends on vitest). Raised queue limits: the default 1000 queued messages drops at bench rates.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function mosquittoPath() {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', 'command -v mosquitto'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startMosquitto(extra = '') {
  const bin = mosquittoPath();
  if (!bin) throw new Error('mosquitto is not installed (sudo apt-get install -y mosquitto)');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-mosquitto-'));
  const port = await freePort();
  const user = process.getuid?.() === 0 ? 'user root\n' : '';
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    `${user}listener ${port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 2000000\nmax_queued_bytes 0\nmax_inflight_messages 0\nlog_dest stderr\nlog_type error\n${extra.replaceAll('{dir}', dir)}\n`,
  );
  let stderr = '';
  const launch = async () => {
    const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d) => (stderr += d));
    await waitForPort(port, 10_000);
    return child;
  };
  // Mosquitto can miss a SIGTERM right after start; repeat until it exits.
  const terminate = async (child) => {
    const exited = new Promise((resolve) => (child.exitCode === null && child.signalCode === null ? child.once('exit', resolve) : resolve()));
    const timer = setInterval(() => child.kill('SIGTERM'), 100);
    child.kill('SIGTERM');
    await exited;
    clearInterval(timer);
  };
  let child = await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    get pid() {
      return child.pid;
    },
    /**
     * Stops the broker, waits `downMs`, and starts it on the same port and files (with `persistence
     * true` in `extra`, sessions and queues survive).
     */
    restart: async (downMs = 0) => {
      await terminate(child);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await launch();
    },
    stop: async () => {
      await terminate(child);
      rmSync(dir, { recursive: true, force: true });
    },
    stderr: () => stderr,
  };
}
