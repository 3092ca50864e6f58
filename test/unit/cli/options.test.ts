// The option parser and --help layout every command shares: typos get a suggestion, stray words and
// missing values are refused, help columns line up.
import { describe, expect, it } from 'vitest';
import { formatOptions, parseOptions, type OptionSpec } from '../../../src/cli/options.js';

const SPECS: OptionSpec[] = [
  { name: 'config', short: 'c', value: 'FILE', help: 'config file\nsecond line' },
  { name: 'json', help: 'print JSON' },
  { name: 'for', value: 'D', help: 'how long' },
  { name: 'probe', help: 'connect to the broker' },
];

describe('parseOptions', () => {
  it('reads long, short, inline values, flags and words after --', () => {
    expect(parseOptions(SPECS, ['--config', 'a.yaml', '--json', '--for=10s', 'x', '--', '-y'], 3)).toEqual({
      values: { config: 'a.yaml', json: true, for: '10s' },
      positionals: ['x', '-y'],
    });
    expect(parseOptions(SPECS, ['-c', 'b.yaml'], 0)).toEqual({ values: { config: 'b.yaml' }, positionals: [] });
  });

  it('takes a negative number as a value, not an option', () => {
    expect(parseOptions(SPECS, ['--for', '-5'], 0)).toEqual({ values: { for: '-5' }, positionals: [] });
  });

  it.each([
    [['--conifg', 'a.yaml'], 'unknown option --conifg; did you mean --config?'],
    [['--prbe'], 'unknown option --prbe; did you mean --probe?'],
    [['-x'], 'unknown option -x'],
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['--config'], '--config needs a value: --config FILE'],
    [['--config', '--json'], '--config needs a value: --config FILE'],
    [['--json=yes'], '--json takes no value (got "--json=yes")'],
    [['stray'], 'unexpected argument "stray"'],
    [['probe'], 'unexpected argument "probe"; did you mean --probe?'],
    [['/etc/faultline/faultline.yaml'], 'unexpected argument "/etc/faultline/faultline.yaml"; to use it as the config, write --config /etc/faultline/faultline.yaml'],
  ])('refuses %j: %s', (args, problem) => {
    expect(parseOptions(SPECS, args, 0)).toEqual({ problem });
  });

  it('accepts up to the number of words a command takes', () => {
    expect(parseOptions(SPECS, ['use', '7'], 2)).toEqual({ values: {}, positionals: ['use', '7'] });
    expect(parseOptions(SPECS, ['use', '7', '8'], 2)).toEqual({ problem: 'unexpected argument "8"' });
  });
});

describe('formatOptions', () => {
  it('puts every help text, continuation lines too, in one column', () => {
    const { arguments: args, options } = formatOptions(SPECS, [{ name: 'FILE', help: 'the file' }]);
    const lines = [...args.split('\n'), ...options.split('\n')];
    expect(lines).toEqual([
      '  FILE               the file',
      '  -c, --config FILE  config file',
      '                     second line',
      '      --json         print JSON',
      '      --for D        how long',
      '      --probe        connect to the broker',
    ]);
  });
});
