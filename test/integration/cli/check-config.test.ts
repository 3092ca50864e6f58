// `faultline check-config` as a technician runs it: the real process, its exit code and its words.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

describe('faultline check-config', () => {
  it('accepts the example config, prints it with secrets masked, and exits 0', async () => {
    const result = await runCli(['check-config', '--config', 'config/faultline.yaml'], {
      env: { FAULTLINE_MQTT__USERNAME: 'plc', FAULTLINE_MQTT_PASSWORD: 'hunter2-secret' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('url: mqtt://127.0.0.1:1883');
    expect(result.stdout).toContain('retention: 30d');
    expect(result.stdout).toContain('password: "********"');
    expect(result.stdout + result.stderr).not.toContain('hunter2-secret');
    expect(result.stderr).toContain('config OK');
  });

  // One fixture per kind of mistake; each names file:line:col, the key, and what to write instead.
  it.each([
    ['yaml-syntax.yaml', '3:8 mqtt.url: YAML syntax: Missing closing "quote'],
    ['misspelled-key.yaml', '4:3 storage.retension: unknown key "retension"; did you mean "retention"?'],
    ['wrong-type.yaml', '4:18 model.test_fraction: must be a number (got "lots"); the default is 0.2'],
    ['bad-duration.yaml', '3:11 model.window: "10 minutes" is not a duration; write a number and a unit: 500ms, 30s, 10m, 2h or 7d'],
    ['bad-cron.yaml', '3:12 schedule.retrain: "61 * * * *" is not a valid cron expression (61 is an invalid expression for minute); write 5 fields'],
    ['bad-url.yaml', '3:8 mqtt.url: "http://broker.local:1883" is not an MQTT broker URL; write mqtt://host:1883, or mqtts://host:8883 for TLS'],
    ['missing-password-file.yaml', '5:18 mqtt.password_file: file "/nonexistent/faultline/mqtt.password" does not exist; create it or fix the path'],
  ])('%s exits 78 and says where and how to fix it', async (name, expected) => {
    const file = fixture(name);
    const result = await runCli(['check-config', '--config', file]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain(`${file}:${expected}`);
    expect(result.stdout).toBe('');
  });

  it('lists every problem of a file at once', async () => {
    const file = fixture('several-problems.yaml');
    const result = await runCli(['check-config', '--config', file]);
    expect(result.code).toBe(78);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith(file));
    expect(lines.map((line) => line.slice(file.length + 1).split(' ')[0])).toEqual(['2:1', '5:11', '7:10']);
    expect(result.stderr).toContain('3 problem(s)');
  });

  it('exits 78 for a config file that does not exist', async () => {
    const result = await runCli(['check-config', '--config', '/nonexistent/faultline.yaml']);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('/nonexistent/faultline.yaml:1:1 (file): the config file does not exist');
  });

  it('takes the file from FAULTLINE_CONFIG', async () => {
    const result = await runCli(['check-config'], { env: { FAULTLINE_CONFIG: fixture('bad-url.yaml') } });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('bad-url.yaml:3:8 mqtt.url:');
  });

  it('warns that a fleet without an id is off, and exits 0', async () => {
    const result = await runCli(['check-config', '--config', fixture('fleet-without-id.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`${fixture('fleet-without-id.yaml')}:3:10 fleet.share: is on, but fleet.id is not set, so this gateway is in no fleet and shares nothing`);
  });

  it('warns about a FAULTLINE_* variable that sets nothing, names the one meant, and exits 0', async () => {
    const result = await runCli(['check-config', '--config', 'config/faultline.yaml'], { env: { FAULTLINE_MQTT_URL: 'mqtt://10.0.0.9:1883' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: FAULTLINE_MQTT_URL (environment) mqtt.url: is ignored; did you mean FAULTLINE_MQTT__URL?');
    expect(result.stdout).toContain('url: mqtt://127.0.0.1:1883');
  });
});
