// `faultline models`: lists every trained model; `faultline models use VERSION` makes one the
// champion (roll back or forward). Reads and writes the registry only; trains nothing.
import { existsSync } from 'node:fs';
import { openDatabase } from '../store/db.js';
import { ModelRegistry, RejectedModelError, UnknownModelError } from '../store/models.js';
import type { ModelCard } from '../train/card.js';
import { formatModelList } from '../train/card-text.js';
import { EXIT } from '../exit-codes.js';
import { CONFIG_OPTION, type Command, type CommandContext } from './command.js';
import { loadConfigFor } from './load-config.js';

export const models: Command = {
  name: 'models',
  summary: 'list model versions; roll back or forward',
  usage: 'faultline models [--config FILE] [--json] | faultline models use VERSION [--force] [--config FILE]',
  notes:
    '"use VERSION" makes that model the champion; the champion it replaces becomes retired. A running agent\n' +
    'serves the new champion from its next reload or retrain.\n' +
    'Exit status: 0 done, 1 unknown or refused version, 78 the config is wrong, 64 bad usage.',
  options: [
    CONFIG_OPTION,
    { name: 'json', help: 'list as JSON (one object per model: version, status and its card)' },
    { name: 'force', help: 'with "use": serve a model that was rejected by its promotion gate' },
  ],
  arguments: { max: 2, help: [{ name: 'use VERSION', help: 'make model VERSION the champion (roll back or forward)' }] },
  run: (ctx) => {
    const [action, version, ...extra] = ctx.positionals;
    if (action !== undefined && (action !== 'use' || version === undefined || extra.length > 0)) {
      ctx.err('faultline models: usage: faultline models [--json] | faultline models use VERSION [--force]\n');
      return EXIT.usage;
    }
    const { config } = loadConfigFor(ctx);
    const path = config.storage.path;
    if (!existsSync(path)) {
      if (version !== undefined) {
        ctx.err(`faultline models: there is no model version ${version}: no buffer at ${path} yet\n`);
        return EXIT.failed;
      }
      ctx.out(ctx.values.json ? '[]\n' : formatModelList([]));
      return EXIT.ok;
    }
    const db = openDatabase(path, { sync: config.storage.sync, readonly: version === undefined });
    try {
      const registry = new ModelRegistry(db);
      return version === undefined ? list(ctx, registry) : use(ctx, registry, version);
    } finally {
      db.close();
    }
  },
};

function list(ctx: CommandContext, registry: ModelRegistry): number {
  const all = registry.list<ModelCard>();
  if (ctx.values.json) {
    ctx.out(`${JSON.stringify(all.map(({ version, status, trainedAt, card }) => ({ version, status, trained_at: new Date(trainedAt).toISOString(), card })))}\n`);
  } else {
    ctx.out(formatModelList(all));
  }
  return EXIT.ok;
}

function use(ctx: CommandContext, registry: ModelRegistry, version: string): number {
  try {
    const { model, previous } = registry.use<ModelCard>(version, { force: ctx.values.force === true });
    if (previous === version) {
      ctx.out(`model ${version} is already the champion; nothing changed\n`);
    } else {
      const rmse = model.card.metrics.challenger.rmse;
      const was = previous === null ? 'there was no champion' : `model ${previous} is now retired`;
      ctx.out(`model ${version} is now the champion (test RMSE ${rmse === null ? '-' : rmse.toFixed(1)} s when trained); ${was}\n`);
      if (model.card.promoted === false) ctx.err(`warning: model ${version} was rejected at training (${model.card.promotion}); served because of --force\n`);
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UnknownModelError || error instanceof RejectedModelError) {
      ctx.err(`faultline models: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}
