// The predictions phase: live windows and the champion model turn each durable batch into
// predictions, which go to the publisher (and its outbox while the broker is away) and out as events.
import type { Phase } from '../lifecycle.js';
import { PredictionPublisher } from '../predict/prediction-publisher.js';
import { PredictionService } from '../predict/service.js';
import { Outbox } from '../store/outbox.js';
import type { TrainResult } from '../train/trainer.js';
import type { Base } from './base.js';
import type { IngestParts } from './ingest.js';
import type { ModelParts } from './models.js';
import type { StoreParts } from './store.js';

export interface PredictionParts {
  readonly predictions: PredictionService;
  readonly publisher: PredictionPublisher;
  readonly outbox: Outbox;
}

export const predictionsPhase: Phase<Base & StoreParts & Pick<ModelParts, 'registry'> & IngestParts, PredictionParts> = {
  name: 'predictions',
  sections: ['predictions', 'model'],
  start: ({ config, log: parent, events, db, registry, ingest }) => {
    const log = parent.child({ module: 'predict' });
    // Each prediction may go out as up to four messages: the JSON and three scalars.
    const outbox = new Outbox(db, config.predictions.outbox_max * (config.predictions.scalars ? 4 : 1));
    const service = new PredictionService({ predictions: config.predictions, log, db, registry });
    const publisher = new PredictionPublisher({ predictions: config.predictions, outbox, log });
    service.on('prediction', (prediction) => {
      publisher.publish(prediction);
      events.emit('prediction', prediction);
    });
    service.on('model', (model) => events.emit('model', model));
    // A promoted model serves at once, rather than at the service's next look at the registry.
    const onTrained = (result: TrainResult): void => {
      if (result.status === 'trained' && result.promoted) service.checkChampion();
    };
    events.on('trained', onTrained);
    const unsubscribe = ingest.onCommit((batch) => service.onBatch(batch));
    service.start();
    publisher.start();
    return {
      parts: { predictions: service, publisher, outbox },
      stop: () => {
        events.off('trained', onTrained);
        unsubscribe();
        service.stop();
        publisher.stop();
      },
    };
  },
};
