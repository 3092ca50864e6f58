// `faultline train`: retrains now from the buffer in a child process, stores the model, prints its
// card. Works whether or not the agent runs (WAL: it reads a snapshot and writes one registry row).
import { existsSync } from 'node:fs';
import { createLogger } from '../log.js';
import { openDatabase } from '../store/db.js';
import { ModelRegistry } from '../store/models.js';
import { formatCard } from '../train/card-text.js';
import { Trainer, workerFleet } from '../train/trainer.js';
import { EXIT } from '../exit-codes.js';
import { CONFIG_OPTION, type Command } from './command.js';
import { loadConfigFor } from './load-config.js';

export const train: Command = {
  name: 'train',
  summary: 'retrain now from the buffer, print the model card, promote by the usual rule',
  usage: 'faultline train [--config FILE] [--json]',
  notes:
    'Promotes the new model when there is no champion or its test RMSE is lower than the champion\'s on the\n' +
    'same held-out test period (the episodes that ended last); a rejected model is kept, marked rejected.\n' +
    'Exit status: 0 trained (promoted or rejected), 1 failed, 3 not enough labelled data, 78 the config is\n' +
    'wrong, 64 bad usage.',
  options: [CONFIG_OPTION, { name: 'json', help: 'print the model card as JSON (the verdict goes to stderr)' }],
  run: async (ctx) => {
    const { config } = loadConfigFor(ctx);
    const path = config.storage.path;
    const shortage = (what: string): number => {
      ctx.err(`faultline train: not enough labelled data: ${what}\n`);
      return EXIT.notEnoughData;
    };
    if (!existsSync(path)) {
      return shortage(`there is no buffer at ${path} yet: has 0 labelled samples from 0 episodes, needs model.min_samples = ${config.model.min_samples} and at least 2 episodes`);
    }
    // Errors only (a failure's stack, for a bug report), on stderr: stdout carries the card.
    const log = createLogger('error', { write: (line: string) => ctx.err(line) }).child({ module: 'train' });
    const db = openDatabase(path, { sync: config.storage.sync });
    try {
      // Learns from the members the agent has stored; shares nothing (the agent does, on its next retrain).
      const fleet = workerFleet(config, { share: false });
      const trainer = new Trainer({ dbPath: path, registry: new ModelRegistry(db), model: config.model, log, ...(fleet ? { fleet } : {}) });
      const result = await trainer.run('cli');
      if (result.status === 'not_enough_data') return shortage(result.message);
      if (result.status === 'failed') {
        ctx.err(`faultline train: training failed: ${result.message}; the champion stays\n`);
        return EXIT.failed;
      }
      const verdict = result.promoted
        ? `faultline train: model ${result.version} promoted; it is now the champion\n`
        : `faultline train: model ${result.version} rejected (kept, marked rejected); ${result.card.promotion}\n`;
      if (ctx.values.json) {
        ctx.out(`${JSON.stringify(result.card, null, 2)}\n`);
        ctx.err(verdict);
      } else {
        ctx.out(formatCard(result.card));
      }
      return EXIT.ok;
    } finally {
      db.close();
    }
  },
};
