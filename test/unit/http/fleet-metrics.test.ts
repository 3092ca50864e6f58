// The fleet's series on /metrics (issue 15): messages by result and refusal reason, and the members
// kept, present only while the agent learns from a fleet; `promtool check metrics` finds nothing.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FLEET_DEFECTS } from '../../../src/fleet/codec.js';
import { Metrics, type MetricsSnapshot } from '../../../src/http/metrics.js';
import { PROMTOOL, describeWithTool } from '../../helpers/tools.js';

const BASE: MetricsSnapshot = {
  readingsStored: 0,
  rejected: new Map(),
  predictionsPublished: 0,
  bufferRows: 0,
  bufferBytes: 0,
  walBytes: 0,
  modelRmseSeconds: null,
  mqttConnected: true,
  publishFailures: 0,
  outboxRows: 0,
  outboxDropped: 0,
  buildVersion: '0.1.0',
  modelVersion: null,
  assets: [],
  fleet: null,
};

const LEARNING: MetricsSnapshot = { ...BASE, fleet: { members: 2, accepted: 5, cleared: 1, rejected: new Map(FLEET_DEFECTS.map((d, i) => [d, i + 1])) } };

describe('fleet metrics', () => {
  it('count messages by result and reason, and the members kept', async () => {
    const text = await new Metrics().text(LEARNING);
    expect(text).toContain('# TYPE faultline_fleet_messages_total counter');
    expect(text).toContain('faultline_fleet_messages_total{result="accepted"} 5');
    expect(text).toContain('faultline_fleet_messages_total{result="cleared"} 1');
    expect(text).toContain('faultline_fleet_messages_total{result="rejected",reason="gram_not_a_gram"} ' + String(FLEET_DEFECTS.length));
    expect(text).toContain('# TYPE faultline_fleet_members gauge');
    expect(text).toContain('faultline_fleet_members 2');
  });

  it('have no samples when the agent does not learn from a fleet', async () => {
    const text = await new Metrics().text(BASE);
    expect(text).not.toMatch(/^faultline_fleet_\w+(\{| )/m);
  });

  describeWithTool(PROMTOOL, 'promtool', () => {
    it('finds nothing wrong with them', async () => {
      const text = await new Metrics().text(LEARNING);
      const result = spawnSync(PROMTOOL.path()!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  });
});
