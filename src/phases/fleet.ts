// The fleet sharing phase (issue 15): with fleet.share, each retrain's statistics go out retained on
// this agent's statistics topic, and again on every connection. Learning from the fleet is routed
// in the ingest phase, with the telemetry.
import { FleetPublisher } from '../fleet/publisher.js';
import type { Phase } from '../lifecycle.js';
import { stopOnly } from '../lifecycle.js';
import type { TrainResult } from '../train/trainer.js';
import type { Base } from './base.js';
import type { MqttParts } from './mqtt.js';

export const fleetPhase: Phase<Base & MqttParts, object> = {
  name: 'fleet',
  sections: ['fleet', 'agent'],
  start: ({ config, log, events, connection }) => {
    const { fleet, agent } = config;
    if (!fleet.share || fleet.id === null) return stopOnly(() => undefined);
    const publisher = new FleetPublisher({
      fleetId: fleet.id,
      agentId: agent.id,
      maxBytes: fleet.max_message_bytes,
      send: (message) => connection.send(message),
      connected: () => connection.connected,
      log: log.child({ module: 'fleet' }),
    });
    const onTrained = (result: TrainResult): void => publisher.trained(result);
    const onConnected = (): void => publisher.resend();
    events.on('trained', onTrained);
    connection.on('connected', onConnected);
    return stopOnly(() => {
      connection.off('connected', onConnected);
      events.off('trained', onTrained);
    });
  },
};
