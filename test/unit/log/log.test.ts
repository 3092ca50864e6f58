// What the log looks like on each stdout: journald priorities, text for a terminal, JSON otherwise.
import { describe, expect, it } from 'vitest';
import { createLogger, logDestination, stdoutLogFormat } from '../../../src/log.js';
import { formatLogLine } from '../../../src/log-text.js';

function capture(format: 'json' | 'journal' | 'text'): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger('trace', logDestination(format, (line) => lines.push(line))) };
}

describe('the journal format', () => {
  it('prefixes each line with the syslog priority of its level, as sd-daemon(3) says', () => {
    const { lines, log } = capture('journal');
    log.fatal('f');
    log.error('e');
    log.warn('w');
    log.info('i');
    log.debug('d');
    log.trace('t');
    expect(lines.map((line) => /^<(\d)>\{/.exec(line)?.[1])).toEqual(['2', '3', '4', '6', '7', '7']);
    expect(lines.map((line) => (JSON.parse(line.slice(3)) as { msg: string }).msg)).toEqual(['f', 'e', 'w', 'i', 'd', 't']);
  });

  it('masks secrets as the JSON lines do', () => {
    const { lines, log } = capture('journal');
    log.info({ config: { mqtt: { password: 'hunter2' } } }, 'config loaded');
    expect(lines.join('')).not.toContain('hunter2');
    expect(lines.join('')).toContain('********');
  });
});

describe('the text format, for people on a terminal', () => {
  it('prints time, level, message and the fields as key=value', () => {
    const { lines, log } = capture('text');
    log.warn({ url: 'mqtt://127.0.0.1:1', code: 'ECONNREFUSED', cause: 'nothing accepts connections' }, 'broker connection problem');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}broker connection problem {2}url=mqtt:\/\/127\.0\.0\.1:1 code=ECONNREFUSED cause="nothing accepts connections"\n$/);
  });

  it('gives an error its message and stack, and shortens a huge field', () => {
    const { lines, log } = capture('text');
    log.error({ err: new Error('boom'), config: { big: 'x'.repeat(500) } }, 'failed');
    expect(lines[0]).toMatch(/ERROR failed {2}config=\{"big":"x+\.\.\. \(\d+ characters; JSON logs have it whole\) err=boom\n {4}at /);
  });

  it('passes through what is not a JSON line', () => {
    expect(formatLogLine('plain\n')).toBe('plain\n');
  });
});

describe('which format stdout gets', () => {
  it('is JSON without a terminal or a journal, text on a terminal', () => {
    expect(stdoutLogFormat({}, false)).toBe('json');
    expect(stdoutLogFormat({}, true)).toBe('text');
  });

  it('is not the journal when JOURNAL_STREAM names another stream (a child inherits the variable)', () => {
    expect(stdoutLogFormat({ JOURNAL_STREAM: '9:12345' }, false)).toBe('json');
  });
});
