// A plant of Mosquitto brokers for fleet tests (issue 15): N "line" brokers, each bridged to one
// "plant" broker on loopback, carrying faultline/fleet/# both ways (QoS 1, retained kept). The bridge
// section is the README's ("Fleet learning"), word for word. Everything stops at cleanup.
import { connectAsync, type MqttClient } from 'mqtt';
import { lineBridgeConfig } from './fleet-broker-config.js';
import { startMosquitto, type MosquittoHandle, type MosquittoOptions } from './mosquitto.js';
import { onCleanup } from './teardown.js';
import { waitUntil } from './wait.js';

export interface FleetBrokers {
  readonly plant: MosquittoHandle;
  readonly lines: readonly MosquittoHandle[];
  /** mqtt://127.0.0.1:port of each line broker, in order. */
  readonly urls: readonly string[];
  /** Stops the line brokers, then the plant (also done at cleanup). */
  stop(): Promise<void>;
}

export interface FleetBrokersOptions {
  /** Line brokers (default 3), named line1, line2, ... */
  readonly lines?: number;
  /** Options of every line broker (users, ACL, ...); the bridge is added to its extraConfig. */
  readonly line?: MosquittoOptions;
  readonly plant?: MosquittoOptions;
  /** Deadline for every bridge to carry a message each way (default 15 s). */
  readonly readyMs?: number;
  /** Credentials of the clients that check the bridges, when the line brokers ask for some. */
  readonly probe?: { readonly username: string; readonly password: string };
  /** The password each line's bridge logs in to the plant with, as user `<line>-bridge`; none by default. */
  readonly bridgePassword?: (line: string) => string;
}

/** Starts the plant broker, then each line broker bridged to it; resolves once every line reaches every other. */
export async function startFleetBrokers(options: FleetBrokersOptions = {}): Promise<FleetBrokers> {
  const count = options.lines ?? 3;
  const plant = await startMosquitto({ verboseLogs: false, ...options.plant });
  const lines: MosquittoHandle[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `line${i}`;
    const bridge = lineBridgeConfig(name, `127.0.0.1:${plant.port}`, options.bridgePassword && { password: options.bridgePassword(name) });
    const extraConfig = [options.line?.extraConfig, bridge].filter((part) => part !== undefined).join('\n');
    lines.push(await startMosquitto({ verboseLogs: false, ...options.line, extraConfig }));
  }
  const stop = async (): Promise<void> => {
    for (const line of lines) await line.stop();
    await plant.stop();
  };
  await waitBridged(lines, options.readyMs ?? 15_000, options.probe);
  return { plant, lines, urls: lines.map((line) => line.url), stop };
}

/**
 * Resolves once a message published on each line broker arrives at every other one, through the
 * plant: the bridges are connected and subscribed both ways. The probes are not retained, and on a
 * fleet of their own, so no agent ever sees them.
 */
async function waitBridged(lines: readonly MosquittoHandle[], ms: number, auth: FleetBrokersOptions['probe']): Promise<void> {
  if (lines.length < 2) return;
  const clients = await Promise.all(lines.map((line) => probeClient(line, auth)));
  const seen = clients.map(() => new Set<number>());
  clients.forEach((client, i) => client.on('message', (topic) => seen[i]?.add(Number(topic.split('/')[3]))));
  await Promise.all(clients.map((client) => client.subscribeAsync('faultline/fleet/harness-probe/+/stats', { qos: 1 })));
  await waitUntil(
    async () => {
      await Promise.all(clients.map((client, i) => client.publishAsync(`faultline/fleet/harness-probe/${i}/stats`, 'probe', { qos: 1 })));
      return seen.every((from, i) => lines.every((_, j) => j === i || from.has(j)));
    },
    ms,
    'every line broker reaches every other through the plant',
  );
  await Promise.all(clients.map((client) => client.endAsync()));
}

async function probeClient(line: MosquittoHandle, auth: FleetBrokersOptions['probe']): Promise<MqttClient> {
  const client = await connectAsync(line.url, { protocolVersion: 5, reconnectPeriod: 0, ...auth });
  onCleanup(() => client.endAsync(true));
  return client;
}
