// Type tests, checked by `npm run typecheck` (tsc over test/): a phase placed before the phase that
// makes what it takes must not compile. Each @ts-expect-error line fails the check if it compiles.
import { PhaseChain } from '../../src/lifecycle.js';
import type { Base } from '../../src/phases/base.js';
import { httpPhase } from '../../src/phases/http.js';
import { ingestPhase } from '../../src/phases/ingest.js';
import { modelsPhase } from '../../src/phases/models.js';
import { mqttPhase } from '../../src/phases/mqtt.js';
import { predictionsPhase } from '../../src/phases/predictions.js';
import { recordPhase } from '../../src/phases/record.js';
import { retentionPhase, storePhase } from '../../src/phases/store.js';

// The agent's order compiles (phases/index.ts holds the same chain).
PhaseChain.from<Base>().then(storePhase).then(retentionPhase).then(modelsPhase).then(ingestPhase).then(predictionsPhase).then(recordPhase).then(mqttPhase).then(httpPhase);

// Retention needs the buffer's db, which the store phase makes.
// @ts-expect-error db is not available yet
PhaseChain.from<Base>().then(retentionPhase);

// Ingest runs retrain commands, which the models phase makes.
// @ts-expect-error retrain is not available yet
PhaseChain.from<Base>().then(storePhase).then(ingestPhase);

// The connection feeds ingest and carries the publisher's predictions: both must exist first.
// @ts-expect-error predictions and publisher are not available yet
PhaseChain.from<Base>().then(storePhase).then(modelsPhase).then(ingestPhase).then(mqttPhase);

// HTTP reads every part; swapping it with the broker phase leaves it without a connection.
// @ts-expect-error connection is not available yet
PhaseChain.from<Base>().then(storePhase).then(modelsPhase).then(ingestPhase).then(predictionsPhase).then(recordPhase).then(httpPhase);

// The record phase follows the prediction service's champion: it must come after the predictions phase.
// @ts-expect-error predictions is not available yet
PhaseChain.from<Base>().then(storePhase).then(modelsPhase).then(ingestPhase).then(recordPhase);
