// The broker phase: the agent's MQTT connection. Feeds ingest, carries the publisher's predictions,
// keeps the retained model card current, and sends the rebirth requests ingest asks for.
import type { Phase } from '../lifecycle.js';
import { Connection } from '../mqtt/connection.js';
import type { StoredModel } from '../store/models.js';
import type { ModelCard } from '../train/card.js';
import { modelMessage } from '../topics/contract.js';
import type { Base } from './base.js';
import type { IngestParts } from './ingest.js';
import type { PredictionParts } from './predictions.js';

export interface MqttParts {
  readonly connection: Connection;
}

export const mqttPhase: Phase<Base & IngestParts & Pick<PredictionParts, 'predictions' | 'publisher'>, MqttParts> = {
  name: 'mqtt',
  sections: ['agent', 'mqtt'],
  start: ({ config, log, events, ingest, predictions, publisher }) => {
    const publishCard = (model: StoredModel<ModelCard>): void => {
      if (connection.connected) connection.send(modelMessage(config.agent.id, model.card)); // else on the next connection
    };
    const connection: Connection = new Connection({
      mqtt: config.mqtt,
      agentId: config.agent.id,
      log: log.child({ module: 'mqtt' }),
      subscriptions: ingest.subscriptions(),
      onMessage: (message) => ingest.handle(message),
      backpressure: () => ingest.backpressure(),
      beforeDisconnect: () => ingest.flush(),
      // The retained card goes out again on every connection: a restarted broker may have lost it.
      onConnected: () => {
        const champion = predictions.champion;
        if (champion) publishCard(champion);
      },
    });
    const onSubscribed = (): boolean => events.emit('subscribed');
    connection.on('subscribed', onSubscribed);
    predictions.on('model', publishCard);
    const stopRebirths = ingest.onRebirthRequest((request) => connection.send(request));
    publisher.attach(connection);
    connection.start();
    return {
      parts: { connection },
      stop: async () => {
        publisher.attach(null);
        stopRebirths();
        predictions.off('model', publishCard);
        await connection.stop();
      },
    };
  },
};
