// The training process itself (dist/train/worker.js): it makes itself a background job before it
// trains, and goes away when the agent does.
import { fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { BUILT_WORKER_URL } from '../../helpers/built.js';
import { onCleanup } from '../../helpers/teardown.js';
import { waitUntil, withDeadline } from '../../helpers/wait.js';

/** Fields of /proc/PID/task/TID/stat after the parenthesised name: [0] is field 3 (state). */
function statFields(pid: number, tid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Every thread's scheduling policy (field 41; 5 is SCHED_IDLE) and nice value (field 19). */
function threads(pid: number): Array<{ policy: number; nice: number }> {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const fields = statFields(pid, Number(tid));
    return { policy: Number(fields[38]), nice: Number(fields[16]) };
  });
}

const SCHED_IDLE = 5;

function startTrainingProcess(env: NodeJS.ProcessEnv = process.env) {
  const child = fork(fileURLToPath(BUILT_WORKER_URL), [], { serialization: 'advanced', execArgv: ['--single-threaded-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env });
  onCleanup(() => void child.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

it('runs every thread under SCHED_IDLE, and exits when the agent closes the channel', async () => {
  const { child, exited } = startTrainingProcess();
  const show = () => JSON.stringify(threads(child.pid!));
  await waitUntil(() => threads(child.pid!).every((t) => t.policy === SCHED_IDLE), 5_000, `every thread of the training process is SCHED_IDLE (${show()})`);
  child.disconnect();
  expect(await withDeadline(exited, 5_000, 'the training process exits')).toBe(0);
});

it('falls back to nice 19 on every thread where chrt cannot be found', async () => {
  const { child, exited } = startTrainingProcess({ ...process.env, PATH: '/nonexistent' });
  const show = () => JSON.stringify(threads(child.pid!));
  await waitUntil(() => threads(child.pid!).every((t) => t.nice === 19), 5_000, `every thread of the training process is at nice 19 (${show()})`);
  expect(threads(child.pid!).every((t) => t.policy !== SCHED_IDLE)).toBe(true);
  child.disconnect();
  expect(await withDeadline(exited, 5_000, 'the training process exits')).toBe(0);
});
