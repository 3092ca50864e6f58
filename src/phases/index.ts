// The agent's phases in start order. Each takes what earlier ones made (see each phase's input
// type), so a phase moved before the one that makes its input does not compile.
import { PhaseChain, type PartsOf } from '../lifecycle.js';
import type { Base } from './base.js';
import { fleetPhase } from './fleet.js';
import { httpPhase } from './http.js';
import { ingestPhase } from './ingest.js';
import { modelsPhase } from './models.js';
import { mqttPhase } from './mqtt.js';
import { predictionsPhase } from './predictions.js';
import { recordPhase } from './record.js';
import { sparkplugPhase } from './sparkplug.js';
import { retentionPhase, storePhase } from './store.js';

const CHAIN = PhaseChain.from<Base>()
  .then(storePhase)
  .then(retentionPhase)
  .then(modelsPhase)
  .then(ingestPhase)
  .then(predictionsPhase)
  .then(recordPhase)
  .then(mqttPhase)
  .then(fleetPhase)
  .then(sparkplugPhase)
  .then(httpPhase);

export const PHASES = CHAIN.phases;

/** Every part of a running agent, with the base. */
export type AgentParts = PartsOf<typeof CHAIN>;

export type { AgentEvents, Base } from './base.js';
