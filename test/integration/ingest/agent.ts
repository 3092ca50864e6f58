// Starts a real agent process against a test broker, with a buffer in a temp dir.
import { join } from 'node:path';
import type { TestBroker } from '../../helpers/brokers.js';
import { startAgent, type AgentProcess } from '../../helpers/cli.js';
import { writeConfig, type ConfigTree } from '../../helpers/config.js';

export const AGENT_ID = 'test-gw';

export function ingestConfig(broker: TestBroker, override: ConfigTree = {}): ConfigTree {
  return {
    agent: { id: AGENT_ID },
    mqtt: { url: broker.url, protocol_version: broker.protocolVersion, reconnect_min: '100ms', reconnect_max: '1s', keepalive: '5s' },
    telemetry: [{ topic: 'plant/+line/+asset/telemetry' }],
    faults: [{ topic: 'plant/+line/+asset/fault' }],
    ...override,
  };
}

export interface RunningAgent {
  agent: AgentProcess;
  dbPath: string;
  configPath: string;
}

/** Starts the agent and resolves once it is subscribed (connected and past its first connect). */
export async function startIngestAgent(dir: string, broker: TestBroker, override: ConfigTree = {}): Promise<RunningAgent> {
  const configPath = writeConfig(dir, ingestConfig(broker, override));
  const agent = startAgent(configPath);
  await waitConnected(agent, 0);
  return { agent, dbPath: join(dir, 'faultline.db'), configPath };
}

/** Waits until the agent has subscribed more than `already` times (once per connection). */
export async function waitConnected(agent: AgentProcess, already: number): Promise<void> {
  await agent.waitForLog(
    () => agent.logs.filter((l) => l.msg === 'subscribed').length > already,
    15_000,
    'that it subscribed on the broker',
  );
}
