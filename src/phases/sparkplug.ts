// The Sparkplug B phase: faultline as an edge node on a session of its own, one device per asset,
// when `sparkplug.enabled`. Follows the predictions and the serving model.
import type { Phase } from '../lifecycle.js';
import type { AssetPrediction } from '../predict/predictor.js';
import { metaStore } from '../store/meta.js';
import type { StoredModel } from '../store/models.js';
import type { ModelCard } from '../train/card.js';
import { readCounter } from '../store/status.js';
import type { Base } from './base.js';
import type { PredictionParts } from './predictions.js';
import type { StoreParts } from './store.js';

export const sparkplugPhase: Phase<Base & StoreParts & Pick<PredictionParts, 'predictions'>, object> = {
  name: 'sparkplug',
  sections: ['sparkplug', 'agent', 'mqtt'],
  start: async ({ config, log, db, predictions }) => {
    if (!config.sparkplug.enabled) return { parts: {}, stop: () => undefined };
    // Loaded only when used: protobufjs and the schema take about 12 MB.
    const { SparkplugNode } = await import('../sparkplug/edge-node.js');
    const node = new SparkplugNode({
      config,
      log: log.child({ module: 'sparkplug' }),
      store: metaStore(db),
      // Read at every birth (a rebirth too) and every 30 s for NDATA, so a birth carries current values.
      node: () => ({
        modelVersion: predictions.champion?.version ?? null,
        rmse: predictions.champion?.params.rmse ?? null,
        readingsStored: readCounter(db, 'readings'),
      }),
    });
    const onPrediction = (p: AssetPrediction): void => {
      node.publishPrediction(p.asset, { prediction: p.prediction, level: p.level, modelVersion: p.modelVersion });
    };
    const onModel = (model: StoredModel<ModelCard>): void => node.updateNodeMetrics({ modelVersion: model.version, rmse: model.params.rmse });
    predictions.on('prediction', onPrediction);
    predictions.on('model', onModel);
    node.start();
    return {
      parts: {},
      stop: async () => {
        predictions.off('prediction', onPrediction);
        predictions.off('model', onModel);
        await node.stop();
      },
    };
  },
};
