// `faultline run` under systemd: when JOURNAL_STREAM names its stdout, every log line carries its
// syslog priority in journald's "<N>" prefix, so `journalctl -p warning` finds the warnings.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MAIN, REPO, cleanEnv } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { freePort } from '../../helpers/ports.js';
import { onCleanup, tempDir } from '../../helpers/teardown.js';
import { waitUntil } from '../../helpers/wait.js';

describe('logs under systemd', () => {
  it('prefix each line with its priority when JOURNAL_STREAM is stdout: <4> warnings, <6> info', async () => {
    const config = writeConfig(await tempDir('journal'), { mqtt: { url: `mqtt://127.0.0.1:${await freePort()}` } });
    // As systemd does: JOURNAL_STREAM is the device and inode of the stream that is stdout.
    const child = spawn('sh', ['-c', 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1) exec "$@"', 'sh', process.execPath, MAIN, 'run', '--config', config], {
      cwd: REPO,
      env: cleanEnv({ FAULTLINE_MQTT_URL: 'mqtt://example.invalid:1883' }),
    });
    onCleanup(() => void child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const lines = (): string[] => stdout.split('\n').filter((line) => line !== '');
    await waitUntil(() => lines().some((l) => l.includes('broker connection problem')), 15_000, 'a warning about the broker');

    const byMessage = (msg: string): string | undefined => lines().find((l) => l.includes(`"msg":"${msg}"`));
    expect(byMessage('config warning')).toMatch(/^<4>\{"level":"warn"/);
    expect(byMessage('config loaded')).toMatch(/^<6>\{"level":"info"/);
    expect(byMessage('broker connection problem')).toMatch(/^<4>\{"level":"warn"/);
    for (const line of lines()) expect(line).toMatch(/^<[2-7]>\{/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
