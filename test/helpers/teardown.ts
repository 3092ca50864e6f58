// Teardown registry (in the style of aedes' test/helper.js): helpers register their own cleanup,
// so a test cannot leak processes or temp dirs. Also owns temp dirs and a last-resort exit hook.
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TestRunner, afterAll, beforeAll, onTestFinished, type RunnerTestFile, type RunnerTestSuite } from 'vitest';

export type Cleanup = () => Promise<void> | void;

/*
 * Where onCleanup(fn) puts fn depends on when it is called:
 *  - inside a test (or its beforeEach/afterEach)  -> onTestFinished: runs when that test ends;
 *  - while the file is collected (describe body)  -> afterAll of that describe (or of the file);
 *  - while a suite runs, outside any test (its beforeAll/afterAll) -> that suite's frame, drained
 *    after the suite's own afterAll hooks. vitest 4 would silently drop an afterAll() registered at
 *    that point (hooks are copied at collection), so on file start this module instruments every
 *    suite with a first beforeAll that opens a frame and returns the frame's drain as its cleanup.
 * Cleanups run newest-first. Relies on vitest's default `isolate: true` (this module is evaluated
 * per test file) and on suites of one file not running concurrently.
 */
type AnySuite = RunnerTestSuite | RunnerTestFile;

interface Frame {
  readonly suite: AnySuite;
  readonly cleanups: Cleanup[];
}

const openFrames: Frame[] = [];

// eslint-disable-next-line no-empty-pattern -- vitest passes fixtures first; an empty pattern asks for none
beforeAll(({}, file) => {
  instrumentNestedSuites(file);
  return openFrame(file);
});

// Safety net: drains frames whose suite's beforeAll failed (vitest then skips their drain), and
// everything if the file's own beforeAll chain failed.
// eslint-disable-next-line no-empty-pattern -- as above
afterAll(async ({}, file) => {
  const fileFailed = file.result?.state === 'fail';
  await drainFrames(openFrames.filter((frame) => fileFailed || frame.suite !== file));
});

/** Registers `fn` to run when the current test / suite / file finishes (see above). */
export function onCleanup(fn: Cleanup): void {
  const frame = openFrames.at(-1);
  if (TestRunner.getCurrentTest()) {
    onTestFinished(async () => {
      await fn();
    });
  } else if (frame) {
    frame.cleanups.push(fn);
  } else {
    afterAll(async () => {
      await fn();
    });
  }
}

function instrumentNestedSuites(suite: AnySuite): void {
  for (const task of suite.tasks) {
    if (task.type !== 'suite') continue;
    TestRunner.getSuiteHooks(task).beforeAll.unshift(async (running) => {
      await drainFrames(openFrames.filter((frame) => !encloses(frame.suite, running)));
      return openFrame(running);
    });
    instrumentNestedSuites(task);
  }
}

/** Opens a frame for `suite`; the returned drain is what vitest runs after the suite's afterAll. */
function openFrame(suite: AnySuite): () => Promise<void> {
  const frame: Frame = { suite, cleanups: [] };
  openFrames.push(frame);
  return () => drainFrames([frame]);
}

async function drainFrames(frames: Frame[]): Promise<void> {
  const cleanups: Cleanup[] = [];
  for (const frame of [...frames].reverse()) {
    const index = openFrames.indexOf(frame);
    if (index >= 0) openFrames.splice(index, 1);
    cleanups.push(...frame.cleanups.splice(0).reverse());
  }
  await runAll(cleanups);
}

function encloses(outer: AnySuite, inner: AnySuite): boolean {
  if (outer === outer.file) return inner.file === outer;
  for (let s: AnySuite | undefined = inner; s; s = s.suite) {
    if (s === outer) return true;
  }
  return false;
}

/** Creates a fresh directory under os.tmpdir() that is removed at cleanup. */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `faultline-${sanitize(prefix)}-`));
  onCleanup(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Creates a directory that lives until the test process exits (for per-process caches). */
export async function processTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `faultline-${sanitize(prefix)}-`));
  onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const exitHooks = new Set<() => void>();
let exitListenersInstalled = false;

/**
 * Last resort for things that must not outlive the test process (child processes, cached dirs):
 * `fn` runs synchronously when the process exits, or when it gets SIGTERM (vitest stops its fork
 * workers with SIGTERM, which skips 'exit' listeners), unless the returned function unregisters it.
 */
export function onProcessExit(fn: () => void): () => void {
  installExitListeners();
  exitHooks.add(fn);
  return () => {
    exitHooks.delete(fn);
  };
}

function installExitListeners(): void {
  if (exitListenersInstalled) return;
  exitListenersInstalled = true;
  process.once('exit', runExitHooks);
  process.once('SIGTERM', () => {
    runExitHooks();
    // Keep the default behaviour (terminate) unless somebody else handles SIGTERM.
    if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
  });
}

function runExitHooks(): void {
  const hooks = [...exitHooks];
  exitHooks.clear();
  for (const hook of hooks) {
    try {
      hook();
    } catch {
      // best effort: the process is going away anyway
    }
  }
}

async function runAll(cleanups: Cleanup[]): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} cleanups failed`);
}

function sanitize(prefix: string): string {
  return prefix.replace(/[^A-Za-z0-9_.-]/g, '_');
}
