// The Node.js flags and environment the systemd unit starts the agent with, read from its ExecStart
// and Environment= lines, so that a benchmark measures the agent as it is deployed. BENCH_NODE_FLAGS
// replaces the flags, for experiments (BENCH_NODE_FLAGS= runs with none); BENCH_UNIT_ENV=0 leaves
// the unit's environment out (glibc's malloc instead of the preloaded jemalloc, say).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const unit = readFileSync(new URL('../../systemd/faultline.service', import.meta.url), 'utf8');
const execStart = /^ExecStart=\S+\s+(.*?)\s+\S+main\.js\b/m.exec(unit);
if (!execStart) throw new Error('systemd/faultline.service: no ExecStart=/usr/bin/node ... main.js line');

const override = process.env.BENCH_NODE_FLAGS;
export const AGENT_NODE_FLAGS = (override ?? execStart[1]).split(/\s+/).filter((flag) => flag.startsWith('--'));

/** The unit's Environment= settings (LD_PRELOAD only where the library is installed). */
export const UNIT_ENV = Object.fromEntries([...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
if (process.env.BENCH_UNIT_ENV === '0') for (const name of Object.keys(UNIT_ENV)) delete UNIT_ENV[name];
if (UNIT_ENV.LD_PRELOAD && !preloads(UNIT_ENV.LD_PRELOAD)) {
  console.error(`bench: ${UNIT_ENV.LD_PRELOAD} (the unit's LD_PRELOAD) is not installed here, so the agent runs on glibc's malloc: apt-get install libjemalloc2`);
  delete UNIT_ENV.LD_PRELOAD;
}

/** The environment of an agent process: this one's, with the unit's settings on top. */
export const AGENT_ENV = { ...process.env, ...UNIT_ENV };

/** Whether a Node.js process started with this LD_PRELOAD has the library mapped. */
function preloads(library) {
  const probe = "process.exit(require('fs').readFileSync('/proc/self/maps', 'utf8').includes(process.argv[1]) ? 0 : 1)";
  return spawnSync(process.execPath, ['-e', probe, library.replace(/\.so.*$/, '')], { env: { ...process.env, LD_PRELOAD: library }, stdio: 'ignore' }).status === 0;
}
