// The models phase: the registry of trained models, the retrain (a child process, one run at a time)
// and its schedule. Says what each retrain did on the agent's events; listeners act on it.
import type { Phase } from '../lifecycle.js';
import { ModelRegistry } from '../store/models.js';
import { startSchedule } from '../schedule/cron.js';
import { Trainer, workerFleet, type TrainReason, type TrainResult } from '../train/trainer.js';
import type { Base } from './base.js';
import type { StoreParts } from './store.js';

export interface ModelParts {
  readonly registry: ModelRegistry;
  /** Retrains now, or joins the run in progress; never rejects (a failed retrain is a result). */
  readonly retrain: (reason: TrainReason) => Promise<TrainResult>;
  /** When the schedule retrains next (ms since the epoch), or null. */
  readonly nextRetrain: () => number | null;
}

export const modelsPhase: Phase<Base & StoreParts, ModelParts> = {
  name: 'models',
  sections: ['model', 'schedule', 'fleet', 'agent'],
  start: ({ config, log: parent, events, metrics, db }) => {
    const log = parent.child({ module: 'train' });
    const registry = new ModelRegistry(db);
    const fleet = workerFleet(config, { share: true });
    const trainer = new Trainer({ dbPath: config.storage.path, registry, model: config.model, log, ...(fleet ? { fleet } : {}) });
    const retrain = async (reason: TrainReason): Promise<TrainResult> => {
      if (!trainer.running) events.emit('training', reason);
      const result = await trainer.run(reason);
      metrics.observeTraining(result.durationMs / 1000);
      if (result.status === 'trained') {
        log.info({ version: result.version, promoted: result.promoted, rmse: result.card.metrics.challenger.rmse, reason }, 'retrain finished');
      } else {
        log.warn({ status: result.status, reason, message: result.message }, 'retrain did not produce a model');
      }
      events.emit('trained', result);
      return result;
    };
    const schedule = startSchedule(config.schedule.retrain, () => void retrain('schedule'));
    return {
      parts: { registry, retrain, nextRetrain: () => schedule.nextRun() },
      stop: async () => {
        schedule.stop();
        await trainer.stop();
      },
    };
  },
};
