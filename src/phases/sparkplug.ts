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

const NODE_METRICS_EVERY_MS = 30_000;

export const sparkplugPhase: Phase<Base & StoreParts & Pick<PredictionParts, 'predictions'>, object> = {
  name: 'sparkplug',
  sections: ['sparkplug', 'agent', 'mqtt'],
  start: async ({ config, log, db, predictions }) => {
    if (!config.sparkplug.enabled) return { parts: {}, stop: () => undefined };
    // Loaded only when used: protobufjs and the schema take about 12 MB.
    const { SparkplugNode } = await import('../sparkplug/edge-node.js');
    const champion = predictions.champion;
    const node = new SparkplugNode({
      config,
      log: log.child({ module: 'sparkplug' }),
      store: metaStore(db),
      node: { modelVersion: champion?.version, rmse: champion?.params.rmse ?? undefined, readingsStored: readCounter(db, 'readings') },
    });
    const onPrediction = (p: AssetPrediction): void => {
      node.publishPrediction(p.asset, { prediction: p.prediction, level: p.level, modelVersion: p.modelVersion });
    };
    const onModel = (model: StoredModel<ModelCard>): void => node.updateNodeMetrics({ modelVersion: model.version, rmse: model.params.rmse ?? undefined });
    predictions.on('prediction', onPrediction);
    predictions.on('model', onModel);
    node.start();
    const refresh = setInterval(() => node.updateNodeMetrics({ readingsStored: readCounter(db, 'readings') }), NODE_METRICS_EVERY_MS);
    refresh.unref();
    return {
      parts: {},
      stop: async () => {
        clearInterval(refresh);
        predictions.off('prediction', onPrediction);
        predictions.off('model', onModel);
        await node.stop();
      },
    };
  },
};
