// The version of this faultline, as its package.json says: `faultline --version` and the start-up log.
// dist/cli/version.js sits two levels below package.json, in a git checkout and under /opt/faultline alike.
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
