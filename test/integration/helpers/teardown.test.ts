// Self-tests for test/helpers/teardown.ts: when onCleanup() callbacks run, depending on where they
// were registered (test, describe body, beforeAll at file/suite/nested level), and tempDir removal.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCleanup, tempDir } from '../../helpers/teardown.js';

const log: string[] = [];

onCleanup(() => {
  // File top level (collection): runs after every suite below; nothing left to assert then.
  log.push('file-body');
});

beforeAll(() => {
  onCleanup(() => void log.push('file-beforeAll'));
});

describe('registered inside a test', () => {
  let dir = '';

  it('does not run while the test runs', async () => {
    onCleanup(() => void log.push('test'));
    dir = await tempDir('teardown self-test');
    expect(existsSync(dir)).toBe(true);
    expect(log).toEqual([]);
  });

  it('ran when that test finished, and removed the temp dir', () => {
    expect(log).toEqual(['test']);
    expect(existsSync(dir)).toBe(false);
    log.length = 0;
  });
});

describe('registered in a describe body', () => {
  onCleanup(() => void log.push('describe-body'));
  it('does not run before the describe ends', () => expect(log).toEqual([]));
});

describe('registered in beforeAll', () => {
  beforeAll(() => {
    onCleanup(() => void log.push('beforeAll'));
  });
  afterAll(() => {
    log.push('own-afterAll');
  });

  it('does not run before the describe ends', () => expect(log).toEqual(['describe-body']));

  describe('nested', () => {
    beforeAll(() => {
      onCleanup(() => void log.push('nested-beforeAll'));
    });
    it('the outer frame is still open', () => expect(log).toEqual(['describe-body']));
  });

  it('the nested describe drained only its own frame', () => {
    expect(log).toEqual(['describe-body', 'nested-beforeAll']);
  });
});

describe('afterwards', () => {
  it('beforeAll cleanups ran at the end of their describe, after its own afterAll hooks', () => {
    expect(log).toEqual(['describe-body', 'nested-beforeAll', 'own-afterAll', 'beforeAll']);
  });

  it('file-level cleanups have not run yet', () => {
    expect(log).not.toContain('file-beforeAll');
    expect(log).not.toContain('file-body');
  });
});
