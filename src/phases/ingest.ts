// The ingest phase: routes, parses and group-commits what the broker delivers (the connection comes
// later and feeds it). The retrain command topic runs a retrain instead of reaching the buffer, and
// with fleet.learn the fleet's statistics go to its members' table with the same batches.
import type { Config } from '../config/schema.js';
import { FleetInbox } from '../fleet/inbox.js';
import { Ingest, type ExtraRoute } from '../ingest/pipeline.js';
import { sparkplugDecoderFor } from '../ingest/routes.js';
import type { Phase } from '../lifecycle.js';
import { BatchWriter } from '../store/ingest-batch.js';
import { retrainTopic } from '../topics/contract.js';
import type { Base } from './base.js';
import type { ModelParts } from './models.js';
import type { StoreParts } from './store.js';

export interface IngestParts {
  readonly ingest: Ingest;
}

export const ingestPhase: Phase<Base & StoreParts & Pick<ModelParts, 'retrain'>, IngestParts> = {
  name: 'ingest',
  sections: ['telemetry', 'faults', 'ingest', 'agent', 'sparkplug', 'fleet'],
  start: async ({ config, log, events, db, retrain }) => {
    const ingest = new Ingest({
      extra: fleetRoutes(config, log),
      config: { telemetry: config.telemetry, faults: config.faults, limits: config.ingest, retentionMs: config.storage.retention },
      sparkplug: await sparkplugDecoderFor(config),
      log: log.child({ module: 'ingest' }),
      writer: new BatchWriter(db, config.storage.dead_letters),
      commands: new Map([[retrainTopic(config.agent.id), () => void retrain('command')]]),
    });
    const unsubscribe = ingest.onCommit((batch) => events.emit('committed', batch));
    return {
      parts: { ingest },
      stop: () => {
        unsubscribe();
        ingest.stop();
      },
    };
  },
};

/** The fleet's statistics topics, when this agent learns from its fleet. */
function fleetRoutes(config: Config, log: Base['log']): ExtraRoute[] {
  const { fleet, agent } = config;
  if (!fleet.learn || fleet.id === null) return [];
  return [new FleetInbox({ fleet: { ...fleet, id: fleet.id }, agentId: agent.id, log: log.child({ module: 'fleet' }) })];
}
