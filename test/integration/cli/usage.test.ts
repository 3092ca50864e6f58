// The command line as a technician types it: --help of every command, typos, stray words, exit 64.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const COMMANDS = ['run', 'demo', 'check-config', 'train', 'status', 'models', 'fleet', 'dead-letters', 'replay'];

/** The column where the text starts on each line of the Arguments and Options sections. */
function helpColumns(help: string): number[] {
  const sections = help.split(/\n(?:Arguments|Options):\n/).slice(1);
  return sections
    .flatMap((section) => section.split('\n\n')[0]!.split('\n').filter((line) => line !== ''))
    .map((line) => {
      // After the flag and its gap of spaces; a continuation line has no flag.
      const gap = /\S {2,}(?=\S)/.exec(line);
      return gap ? gap.index + gap[0].length : line.search(/\S/);
    });
}

describe('faultline --help', () => {
  it('lists the contract commands, and each has its own --help with aligned columns', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const name of COMMANDS) expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    for (const name of COMMANDS) {
      const help = await runCli([name, '--help']);
      expect(help.code, name).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: faultline ${name}`));
      const columns = helpColumns(help.stdout);
      expect(columns.length, name).toBeGreaterThan(1);
      expect(new Set(columns), `${name}: ${help.stdout}`).toEqual(new Set([columns[0]]));
      expect(columns[0], name).toBeGreaterThan(0);
    }
  });
});

describe('mistakes on the command line', () => {
  it.each([
    [['frobnicate'], 'faultline: unknown command "frobnicate"\n'],
    [['chek-config'], 'faultline: unknown command "chek-config"; did you mean "check-config"?'],
    [['--verison'], 'faultline: unknown option "--verison"; did you mean "--version"?'],
    [['status', '--frob'], 'faultline status: unknown option --frob\n'],
    [['run', '--conifg', 'x.yaml'], 'faultline run: unknown option --conifg; did you mean --config?'],
    [['status', '--config'], 'faultline status: --config needs a value: --config FILE'],
    [['status', 'extra'], 'faultline status: unexpected argument "extra"'],
    [['run', 'config/faultline.yaml'], 'faultline run: unexpected argument "config/faultline.yaml"; to use it as the config, write --config config/faultline.yaml'],
    [['replay', 'a.csv', 'b.csv', '--url', 'mqtt://127.0.0.1:1'], 'faultline replay: unexpected argument "b.csv"'],
    [['models', 'use', '3', '4'], 'faultline models: unexpected argument "4"'],
  ])('%j exits 64: %s', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('prints the help when --help is on the line, even beside a mistake', async () => {
    const result = await runCli(['run', '--conifg', 'x.yaml', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: faultline run/);
  });
});
