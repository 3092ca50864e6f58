// The Node.js flags the systemd unit starts the agent with, read from its ExecStart, so that a
// benchmark measures the agent as it is deployed. BENCH_NODE_FLAGS replaces them, for experiments
// (BENCH_NODE_FLAGS= runs with none).
import { readFileSync } from 'node:fs';

const unit = readFileSync(new URL('../../systemd/faultline.service', import.meta.url), 'utf8');
const execStart = /^ExecStart=\S+\s+(.*?)\s+\S+main\.js\b/m.exec(unit);
if (!execStart) throw new Error('systemd/faultline.service: no ExecStart=/usr/bin/node ... main.js line');

const override = process.env.BENCH_NODE_FLAGS;
export const AGENT_NODE_FLAGS = (override ?? execStart[1]).split(/\s+/).filter((flag) => flag.startsWith('--'));
