// The shipped unit must pass `systemd-analyze verify` and stay rated "OK" or better by
// `systemd-analyze security`, wherever systemd-analyze exists.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const UNIT = fileURLToPath(new URL('../../systemd/faultline.service', import.meta.url));
const ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));
const run = promisify(execFile);

const suite = ANALYZE ? describe : describe.skip;
const title = ANALYZE ? 'systemd/faultline.service' : 'systemd/faultline.service — SKIPPED: systemd-analyze not installed (apt-get install systemd)';

suite(title, () => {
  it('passes systemd-analyze verify', async () => {
    const { stdout, stderr } = await run(ANALYZE!, ['verify', UNIT]);
    expect(stdout + stderr).toBe('');
  });

  it('is rated OK or better by systemd-analyze security', async () => {
    const { stdout } = await run(ANALYZE!, ['security', '--offline=true', UNIT]);
    const match = /Overall exposure level for faultline\.service: ([\d.]+) (\w+)/.exec(stdout);
    expect(match, stdout.slice(-500)).not.toBeNull();
    expect(Number(match![1])).toBeLessThanOrEqual(2.0);
    expect(['OK', 'SAFE']).toContain(match![2]);
  });

  it('does not restart-loop on a config error and reloads with SIGHUP', async () => {
    const { readFile } = await import('node:fs/promises');
    const unit = await readFile(UNIT, 'utf8');
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^User=faultline$/m);
  });
});
