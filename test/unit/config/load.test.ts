import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatProblem } from '../../../src/config/errors.js';
import { loadConfig, parseConfig, resolveConfigPath } from '../../../src/config/load.js';
import { problems } from './problems.js';


const scratch = (): string => mkdtempSync(join(tmpdir(), 'faultline-config-'));

describe('defaults', () => {
  it('fills every section from an empty file', () => {
    const { config } = parseConfig('', 'f.yaml', {});
    expect(config.mqtt.url).toBe('mqtt://127.0.0.1:1883');
    expect(config.model.horizon).toBe(2 * 3_600_000);
    expect(config.model.window).toBe(600_000);
    expect(config.storage.max_size).toBe(2 * 1024 ** 3);
    expect(config.telemetry).toEqual([{ topic: 'plant/+line/+asset/telemetry', format: 'json', timestamp: 'ts', fields: null, qos: 1 }]);
    expect(config.http.listen).toBe('127.0.0.1:9464');
    expect(config.model.max_gap).toBe('auto');
    expect(config.sparkplug.deadband).toBe(0.01);
    expect(config.sparkplug.max_silence).toBe(60_000);
  });
});

describe('problems name file, line, column and key', () => {
  it('points at a misspelled key and suggests the right one', () => {
    expect(problems('storage:\n  retension: 30d\n')).toEqual(['f.yaml:2:3 storage.retension: unknown key "retension"; did you mean "retention"?']);
  });

  it('says where a key from another section belongs', () => {
    expect(problems('storage:\n  horizon: 2h\n')).toEqual(['f.yaml:2:3 storage.horizon: unknown key "horizon" here; it belongs under model.horizon']);
  });

  it('lists every problem at once, in file order', () => {
    const found = problems('log:\n  level: loud\nmodel:\n  window: 10 minutes\n  min_samples: 3\nmqt: {}\n');
    expect(found).toHaveLength(4);
    expect(found[0]).toMatch(/^f\.yaml:2:10 log\.level: must be one of fatal, error, warn, info, debug, trace \(got "loud"\)/);
    expect(found[1]).toMatch(/^f\.yaml:4:11 model\.window: "10 minutes" is not a duration; write a number and a unit/);
    expect(found[2]).toBe('f.yaml:5:16 model.min_samples: must be at least 10 (got 3); the default is 200');
    expect(found[3]).toBe('f.yaml:6:1 mqt: unknown key "mqt"; did you mean "mqtt"?');
  });

  it('explains wrong types with the default', () => {
    expect(problems('model:\n  test_fraction: lots\n')).toEqual(['f.yaml:2:18 model.test_fraction: must be a number (got "lots"); the default is 0.2']);
    expect(problems('predictions:\n  scalars: yes please\n')[0]).toMatch(/predictions\.scalars: must be true or false \(got "yes please"\)/);
    expect(problems('telemetry: plant/+asset\n')[0]).toMatch(/^f\.yaml:1:12 telemetry: must be a list/);
  });

  it('suggests the closest allowed value', () => {
    expect(problems('telemetry:\n  - topic: a/+asset\n    format: jsn\npredictions:\n  topic: p/{asset}\n')).toEqual([
      'f.yaml:3:13 telemetry[0].format: must be one of json, value, sparkplug (got "jsn"); did you mean "json"?',
    ]);
  });

  it('lists schema and cross-key problems of one file in one run', () => {
    const text = [
      'mqtt:',
      '  url: http://x', // schema
      '  reconnect_min: 2m', // cross-key: longer than reconnect_max
      '  reconnect_max: 1m',
      'telemetry:',
      '  - topic: a/+line/+asset',
      '    qos: 2', // schema
      'predictions:',
      '  levels: { warning: 0.9, alarm: 0.8 }', // cross-key: warning not below alarm
      'model:',
      '  window: soon', // schema
    ].join('\n');
    expect(problems(text)).toEqual([
      'f.yaml:2:8 mqtt.url: "http://x" is not an MQTT broker URL; write mqtt://host:1883, or mqtts://host:8883 for TLS',
      'f.yaml:3:18 mqtt.reconnect_min: is longer than mqtt.reconnect_max; the first wait must not exceed the cap',
      'f.yaml:7:10 telemetry[0].qos: must be 0 or 1 (got 2); the default is 1',
      'f.yaml:9:22 predictions.levels.warning: (0.9) must be below alarm (0.8)',
      'f.yaml:11:11 model.window: "soon" is not a duration; write a number and a unit: 500ms, 30s, 10m, 2h or 7d',
    ]);
  });

  it('reports a missing required key at its list entry', () => {
    expect(problems('telemetry:\n  - format: json\n')[0]).toMatch(/^f\.yaml:2:5 telemetry\[0\]\.topic: is required: Topic pattern/);
  });

  it('refuses a non-MQTT URL, a bad cron and a bad topic', () => {
    expect(problems('mqtt:\n  url: http://x:1883\n')[0]).toMatch(/^f\.yaml:2:8 mqtt\.url: "http:\/\/x:1883" is not an MQTT broker URL; write mqtt:\/\/host:1883/);
    expect(problems('schedule:\n  retrain: "every hour"\n')[0]).toMatch(/^f\.yaml:2:12 schedule\.retrain: "every hour" is not a valid cron expression \(expected 5 or 6 fields but got 2\)/);
    expect(problems('faults:\n  - topic: a/#/b\n')[0]).toBe('f.yaml:2:12 faults[0].topic: has # before the last level; # may only end a topic');
  });

  it('refuses a Sparkplug deadband outside 0 to 1 and a max_silence that is not a duration', () => {
    expect(problems('sparkplug:\n  deadband: 5\n  max_silence: 60\n')).toEqual([
      'f.yaml:2:13 sparkplug.deadband: must be at most 1 (got 5); the default is 0.01',
      expect.stringMatching(/^f\.yaml:3:16 sparkplug\.max_silence: must be a duration/),
    ]);
  });

  it('reports YAML syntax errors at the value that broke', () => {
    expect(problems('mqtt:\n  url: "mqtt://x\n  keepalive: 30s\n')[0]).toMatch(/^f\.yaml:2:8 mqtt\.url: YAML syntax: Missing closing "quote/);
    expect(problems('a: [1, 2\n')[0]).toMatch(/^f\.yaml:\d+:\d+ .*YAML syntax/);
    expect(problems('mqtt:\n  url: x\n  url: y\n')[0]).toMatch(/YAML syntax: Map keys must be unique/);
  });

  it('refuses YAML tags with one problem each, where a Buffer or Set would have been picked apart', () => {
    expect(problems('log:\n  level: !secret info\n')).toEqual([
      'f.yaml:2:10 log.level: YAML: Unresolved tag: !secret; the config uses no tags (!name): remove it, or quote the value',
    ]);
    expect(problems('log: !!binary aGVsbG8=\nmodel:\n  horizon: !!timestamp 2001-12-14\n')).toEqual([
      'f.yaml:1:6 log: YAML: Unresolved tag: tag:yaml.org,2002:binary; the config uses no tags (!name): remove it, or quote the value',
      'f.yaml:3:12 model.horizon: YAML: Unresolved tag: tag:yaml.org,2002:timestamp; the config uses no tags (!name): remove it, or quote the value',
    ]);
    // The core tags still mean what YAML says.
    expect(parseConfig('log:\n  level: !!str info\n', 'f.yaml', {}).config.log.level).toBe('info');
  });

  it('refuses a file that is not a mapping', () => {
    expect(problems('- a\n- b\n')).toEqual(['f.yaml:1:1 (file): must be YAML sections such as "mqtt:" and "telemetry:", one per line']);
  });
});

describe('rules across keys', () => {
  it('needs captures for every placeholder of the prediction topic', () => {
    expect(problems('telemetry:\n  - topic: plant/+asset/t\n')).toEqual([
      'f.yaml:1:1 predictions.topic: uses {line}, but telemetry topic "plant/+asset/t" has no +line capture; remove {line} or add +line to that topic',
    ]);
  });

  it('needs +asset in telemetry and fault topics, and +sensor for value format', () => {
    const found = problems('telemetry:\n  - topic: plant/+line/x\n    format: value\nfaults:\n  - topic: plant/+line/fault\n');
    expect(found).toEqual([
      expect.stringMatching(/^f\.yaml:2:12 telemetry\[0\]\.topic: has no \+asset capture/),
      expect.stringMatching(/^f\.yaml:2:12 telemetry\[0\]\.topic: format value needs a \+sensor capture/),
      expect.stringMatching(/^f\.yaml:5:12 faults\[0\]\.topic: has no \+asset capture/),
    ]);
  });

  it('orders thresholds and pairs TLS files', () => {
    expect(problems('predictions:\n  levels: { warning: 0.9, alarm: 0.8 }\n')).toEqual(['f.yaml:2:22 predictions.levels.warning: (0.9) must be below alarm (0.8)']);
    const dir = scratch();
    writeFileSync(join(dir, 'c.pem'), 'x');
    expect(problems(`mqtt:\n  cert: ${join(dir, 'c.pem')}\n`)).toEqual([
      'f.yaml:2:3 mqtt.key: is missing; a client certificate needs both mqtt.cert and mqtt.key',
    ]);
  });

  it('refuses a retention shorter than horizon plus window: nothing could ever be labelled', () => {
    expect(problems('storage:\n  retention: 2h\n')).toEqual([
      'f.yaml:2:14 storage.retention: (2h) is shorter than model.horizon + model.window (2h + 10m): readings would be deleted before any moment has its window and its label, so nothing could ever be learned; keep several fault cycles, e.g. 30d',
    ]);
    expect(() => parseConfig('storage:\n  retention: 2h10m\n', 'f.yaml', {})).toThrow(/is not a duration/);
    expect(() => parseConfig('storage:\n  retention: 130m\n', 'f.yaml', {})).not.toThrow();
    expect(() => parseConfig('storage:\n  retention: 3s\nmodel:\n  horizon: 1s\n  window: 1s\n', 'f.yaml', {})).not.toThrow();
  });
});

describe('environment overrides', () => {
  it('sets any key with FAULTLINE_SECTION__KEY, read as YAML', () => {
    const { config } = parseConfig('mqtt:\n  url: mqtt://a:1883\ntelemetry:\n  - topic: p/+line/+asset\n', 'f.yaml', {
      FAULTLINE_MQTT__URL: 'mqtts://b:8883',
      FAULTLINE_MODEL__HORIZON: '3h',
      FAULTLINE_MODEL__MIN_SAMPLES: '500',
      FAULTLINE_PREDICTIONS__LEVELS__ALARM: '0.9',
      FAULTLINE_TELEMETRY__0__FIELDS: '[temperature, vibration]',
    });
    expect(config.mqtt.url).toBe('mqtts://b:8883');
    expect(config.model.horizon).toBe(3 * 3_600_000);
    expect(config.model.min_samples).toBe(500);
    expect(config.predictions.levels.alarm).toBe(0.9);
    expect(config.telemetry[0]?.fields).toEqual(['temperature', 'vibration']);
  });

  it('names the variable when an override is wrong', () => {
    expect(problems('', { FAULTLINE_MQTT__URL: 'ftp://x', FAULTLINE_STORAGE__RETENTON: '1d' })).toEqual([
      expect.stringMatching(/^FAULTLINE_MQTT__URL \(environment\) mqtt\.url: "ftp:\/\/x" is not an MQTT broker URL/),
      'FAULTLINE_STORAGE__RETENTON (environment) storage.retenton: unknown key "retenton"; did you mean "retention"?',
    ]);
  });

  it('leaves FAULTLINE_CONFIG alone and ignores other variables', () => {
    expect(() => parseConfig('', 'f.yaml', { FAULTLINE_CONFIG: '/x.yaml', HOME: '/root', FAULTLINE_: 'x' })).not.toThrow();
  });

  it('warns about a FAULTLINE_* variable that sets nothing, with the name it likely means', () => {
    const env = { FAULTLINE_MQTT_URL: 'mqtt://b:1883', FAULTLINE_TELEMETRY_0_TOPIC: 'a/+asset', FAULTLINE_BANANA: '1', FAULTLINE_CONFIG: '/x.yaml', FAULTLINE_MQTT_PASSWORD: 'p', FAULTLINE_MQTT__USERNAME: 'u' };
    const { config, warnings } = parseConfig('', 'f.yaml', env);
    expect(config.mqtt.url).toBe('mqtt://127.0.0.1:1883');
    expect(warnings.map(formatProblem)).toEqual([
      'FAULTLINE_MQTT_URL (environment) mqtt.url: is ignored; did you mean FAULTLINE_MQTT__URL? (two underscores between levels)',
      'FAULTLINE_TELEMETRY_0_TOPIC (environment) telemetry[0].topic: is ignored; did you mean FAULTLINE_TELEMETRY__0__TOPIC? (two underscores between levels)',
      'FAULTLINE_BANANA (environment) (unknown): is not a faultline variable and is ignored; faultline reads FAULTLINE_CONFIG, FAULTLINE_MQTT_PASSWORD and FAULTLINE_SECTION__KEY (two underscores between levels, e.g. FAULTLINE_MQTT__URL)',
    ]);
  });

  it('keeps the warnings with the problems when the config is refused', () => {
    try {
      parseConfig('log:\n  level: loud\n', 'f.yaml', { FAULTLINE_LOG_LEVEL: 'debug' });
      expect.unreachable('the config has a problem');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      expect(error.warnings.map(formatProblem)).toEqual(['FAULTLINE_LOG_LEVEL (environment) log.level: is ignored; did you mean FAULTLINE_LOG__LEVEL? (two underscores between levels)']);
    }
  });

  it('takes a value whole: " #" starts no comment in a variable', () => {
    const { config } = parseConfig('mqtt:\n  username: u\n', 'f.yaml', { FAULTLINE_MQTT__PASSWORD: 'abc #def', FAULTLINE_AGENT__ID: 'gw-1' });
    expect(config.mqtt.password).toBe('abc #def');
    expect(config.agent.id).toBe('gw-1');
  });
});

describe('passwords', () => {
  it('reads the first line of password_file', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'pw'), 's3cret-from-file\nignored\n');
    const { config } = parseConfig(`mqtt:\n  username: u\n  password_file: ${join(dir, 'pw')}\n`, 'f.yaml', {});
    expect(config.mqtt.password).toBe('s3cret-from-file');
  });

  it('prefers FAULTLINE_MQTT_PASSWORD', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    const { config } = parseConfig(`mqtt:\n  username: u\n  password_file: ${join(dir, 'pw')}\n`, 'f.yaml', { FAULTLINE_MQTT_PASSWORD: 'from-env' });
    expect(config.mqtt.password).toBe('from-env');
  });

  it('refuses an empty password file and a missing one', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'pw'), '\n');
    expect(problems(`mqtt:\n  username: u\n  password_file: ${join(dir, 'pw')}\n`)[0]).toMatch(/^f\.yaml:3:18 mqtt\.password_file: ".*" is empty; put the password on its first line/);
    expect(problems('mqtt:\n  username: u\n  password_file: /no/such/file\n')[0]).toBe(
      'f.yaml:3:18 mqtt.password_file: file "/no/such/file" does not exist; create it or fix the path',
    );
  });

  it('warns about an inline password in a file others can read', () => {
    const dir = scratch();
    const file = join(dir, 'faultline.yaml');
    writeFileSync(file, 'mqtt:\n  username: u\n  password: hunter2\n');
    chmodSync(file, 0o644);
    expect(loadConfig(file, {}).warnings.map(formatProblem)).toEqual([
      `${file}:3:13 mqtt.password: is inline in a file that others can read (mode 644); move it to mqtt.password_file or run chmod 600 ${file}`,
    ]);
    chmodSync(file, 0o600);
    expect(loadConfig(file, {}).warnings).toEqual([]);
  });
});

describe('a password cut short by a comment', () => {
  it('warns at the # that YAML read as the start of a comment, and says to quote it', () => {
    const { config, warnings } = parseConfig('mqtt:\n  username: u\n  password: abc #def\n', 'f.yaml', {});
    expect(config.mqtt.password).toBe('abc');
    expect(warnings.map(formatProblem)).toEqual([
      'f.yaml:3:17 mqtt.password: YAML ends an unquoted value at " #": the password is only what comes before it, the rest is a comment; if the # belongs to the password, put the password in quotes',
    ]);
  });

  it('says nothing for a quoted password, a # inside a word, or a comment on the next line', () => {
    for (const text of ['password: "abc #def"', 'password: abc#def', 'password: abc\n  # a note']) {
      expect(parseConfig(`mqtt:\n  username: u\n  ${text}\n`, 'f.yaml', {}).warnings, text).toEqual([]);
    }
  });

  it('says nothing when the environment sets the password', () => {
    expect(parseConfig('mqtt:\n  username: u\n  password: abc #def\n', 'f.yaml', { FAULTLINE_MQTT__PASSWORD: 'x' }).warnings).toEqual([]);
  });
});

describe('config file location', () => {
  it('takes --config, then FAULTLINE_CONFIG, then /etc, then ./config', () => {
    const none = (): boolean => false;
    const all = (): boolean => true;
    expect(resolveConfigPath('a.yaml', { FAULTLINE_CONFIG: 'b.yaml' }, all)).toBe('a.yaml');
    expect(resolveConfigPath(undefined, { FAULTLINE_CONFIG: 'b.yaml' }, all)).toBe('b.yaml');
    expect(resolveConfigPath(undefined, {}, all)).toBe('/etc/faultline/faultline.yaml');
    expect(resolveConfigPath(undefined, {}, none)).toBe('./config/faultline.yaml');
  });

  it('says plainly when the file is missing', () => {
    expect(() => loadConfig('/no/such/faultline.yaml', {})).toThrow(/\/no\/such\/faultline\.yaml:1:1 \(file\): the config file does not exist; pass --config FILE or set FAULTLINE_CONFIG/);
  });
});

describe('prediction topic placeholders', () => {
  it('allows only {asset} and {line}', () => {
    expect(problems('telemetry:\n  - topic: p/+site/+line/+asset\npredictions:\n  topic: "{site}/{asset}"\n')).toEqual([
      'f.yaml:4:10 predictions.topic: uses {site}; a prediction topic may use {asset} and {line}',
    ]);
  });
});
