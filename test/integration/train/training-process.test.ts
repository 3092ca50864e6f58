// The training process itself (dist/train/worker.js): it lowers its own priority before it trains,
// and goes away when the agent does.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { WORKER_URL } from '../../../src/train/trainer.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil, withDeadline } from '../../helpers/wait.js';

/** The nice value of a process, field 19 of /proc/PID/stat (after the parenthesised name). */
function niceOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

it('runs at nice 19, and exits when the agent closes the channel', async () => {
  const child = fork(fileURLToPath(WORKER_URL), [], { serialization: 'advanced', execArgv: ['--single-threaded-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  onCleanup(() => void child.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitUntil(() => niceOf(child.pid!) === 19, 5_000, `the training process lowers its priority (nice ${niceOf(child.pid!)})`);
  child.disconnect();
  expect(await withDeadline(exited, 5_000, 'the training process exits')).toBe(0);
});
