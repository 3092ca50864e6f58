// `faultline --version` and the version in the start-up log: what a technician quotes in a support call.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, startAgent } from '../../helpers/cli.js';
import { writeConfig } from '../../helpers/config.js';
import { tempDir } from '../../helpers/teardown.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the version', () => {
  it('is printed by faultline --version and -V, exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`faultline ${VERSION}\n`);
      expect(result.stderr).toBe('');
    }
  });

  it('is in the "config loaded" line at start-up', async () => {
    const agent = startAgent(writeConfig(await tempDir('version')));
    const loaded = await agent.waitForLog((l) => l.msg === 'config loaded', 10_000, '"config loaded"');
    expect(loaded.version).toBe(VERSION);
    expect((await agent.stop()).code).toBe(0);
  });
});
