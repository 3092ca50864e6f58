// The fleet statistics topics (issue 15): one per member under the fleet's, and the filter that
// takes them all; a topic of another fleet or shape names no member.
import { describe, expect, it } from 'vitest';
import { decodeFleetStats, encodeFleetStats } from '../../../src/fleet/codec.js';
import { fleetStatsAgent, fleetStatsFilter, fleetStatsMessage, fleetStatsTopic } from '../../../src/topics/contract.js';
import { fleetStats } from '../../helpers/fleet-stats.js';

describe('fleet topics', () => {
  it('spell each member statistics topic and the fleet filter', () => {
    expect(fleetStatsTopic('press-fleet', 'line1-gw')).toBe('faultline/fleet/press-fleet/line1-gw/stats');
    expect(fleetStatsFilter('press-fleet')).toBe('faultline/fleet/press-fleet/+/stats');
  });

  it('read the member from a statistics topic of the fleet, and nothing from others', () => {
    expect(fleetStatsAgent('press-fleet', 'faultline/fleet/press-fleet/line1-gw/stats')).toBe('line1-gw');
    for (const topic of ['faultline/fleet/other/line1-gw/stats', 'faultline/fleet/press-fleet//stats', 'faultline/fleet/press-fleet/a/b/stats', 'faultline/fleet/press-fleet/a/model', 'plant/fleet/press-fleet/a/stats']) {
      expect(fleetStatsAgent('press-fleet', topic), topic).toBeNull();
    }
  });

  it('build the retained QoS 1 message of an agent, whose payload decodes back', () => {
    const stats = fleetStats({ agent: 'line2-gw' });
    const message = fleetStatsMessage('press-fleet', 'line2-gw', new Uint8Array(encodeFleetStats(stats)));
    expect(message).toMatchObject({ topic: 'faultline/fleet/press-fleet/line2-gw/stats', qos: 1, retain: true });
    expect(decodeFleetStats(message.payload, { fleet: 'press-fleet', agent: 'line2-gw', maxBytes: 1024 ** 2, members: [] })).toEqual({ stats });
  });
});
