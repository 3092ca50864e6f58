// The fleet section (issue 15): off by default, an id for sharing or learning, agent ids as topic
// levels, and a message bound that MQTT can carry, each refused with file:line:col and a fix.
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/config/errors.js';
import { parseConfig } from '../../../src/config/load.js';
import { problems } from './problems.js';


describe('fleet config', () => {
  it('is off by default, waits a day for a silent member, with a 16 MB message bound', () => {
    expect(parseConfig('', 'f.yaml', {}).config.fleet).toEqual({ id: null, share: false, learn: false, members: [], wait: 86_400_000, max_message_bytes: 16 * 1024 ** 2 });
  });

  it('takes an id, both switches, an allow-list, a wait and a size', () => {
    const text = 'fleet:\n  id: press-fleet\n  share: true\n  learn: true\n  members: [line1-gw, line2_gw]\n  wait: 6h\n  max_message_bytes: 4MB\n';
    expect(parseConfig(text, 'f.yaml', {}).config.fleet).toEqual({ id: 'press-fleet', share: true, learn: true, members: ['line1-gw', 'line2_gw'], wait: 6 * 3_600_000, max_message_bytes: 4 * 1024 ** 2 });
  });

  it('is off without an id, as the contract says, and warns where share or learn asks for it', () => {
    const { config, warnings } = parseConfig('fleet:\n  share: true\n  learn: true\n', 'f.yaml', {});
    expect(config.fleet).toMatchObject({ id: null, share: true, learn: true });
    expect(warnings.map(formatProblem)).toEqual([
      "f.yaml:2:10 fleet.share: is on, but fleet.id is not set, so this gateway is in no fleet and shares nothing; set fleet.id to the fleet's name, the same on each of its gateways (e.g. press-fleet), or set share: false",
      "f.yaml:3:10 fleet.learn: is on, but fleet.id is not set, so this gateway is in no fleet and learns nothing; set fleet.id to the fleet's name, the same on each of its gateways (e.g. press-fleet), or set learn: false",
    ]);
    expect(parseConfig('', 'f.yaml', { FAULTLINE_FLEET__LEARN: 'true' }).warnings.map(formatProblem)).toEqual([expect.stringMatching(/^FAULTLINE_FLEET__LEARN \(environment\) fleet\.learn: is on, but fleet\.id is not set/)]);
  });

  it('refuses ids that cannot be a topic level, like agent.id', () => {
    expect(problems('fleet:\n  id: press/fleet\n  members: [a, "line+1"]\n')).toEqual([
      'f.yaml:2:7 fleet.id: must be 1–64 letters, digits, - or _ (it names MQTT topics and the client id) (got "press/fleet")',
      'f.yaml:3:16 fleet.members[1]: must be 1–64 letters, digits, - or _ (it names MQTT topics and the client id) (got "line+1")',
    ]);
  });

  it('refuses a member listed twice and a bound MQTT cannot carry', () => {
    expect(problems('fleet:\n  members: [a, b, a]\n  max_message_bytes: 1GB\n')).toEqual([
      'f.yaml:2:19 fleet.members[2]: lists "a" a second time; list each agent id once',
      'f.yaml:3:22 fleet.max_message_bytes: must be between 1KB and 256MB (about the most one MQTT message can carry); the default is 16MB',
    ]);
    expect(problems('fleet:\n  max_message_bytes: 100B\n')[0]).toMatch(/^f\.yaml:2:22 fleet\.max_message_bytes: must be between 1KB and 256MB/);
    expect(problems('fleet:\n  max_message_bytes: lots\n')[0]).toMatch(/^f\.yaml:2:22 fleet\.max_message_bytes: "lots" is not a size/);
  });
});
