// The buffer phases: the SQLite file, then the loops that keep it within its retention, size and
// write-ahead-log bounds.
import type { Phase } from '../lifecycle.js';
import { stopOnly } from '../lifecycle.js';
import { openDatabase, type Db } from '../store/db.js';
import { startRetention } from '../store/retention-loop.js';
import { startWalRelease } from '../store/wal-release.js';
import type { Base } from './base.js';

export interface StoreParts {
  readonly db: Db;
}

export const storePhase: Phase<Pick<Base, 'config' | 'log'>, StoreParts> = {
  name: 'store',
  sections: ['storage'],
  start: ({ config, log }) => {
    const db = openDatabase(config.storage.path, { sync: config.storage.sync });
    log.info({ path: config.storage.path, sync: config.storage.sync }, 'buffer open');
    return {
      parts: { db },
      stop: () => {
        db.close();
      },
    };
  },
};

export const retentionPhase: Phase<Pick<Base, 'config' | 'log'> & StoreParts, object> = {
  name: 'retention',
  sections: ['storage'],
  start: ({ config, log, db }) => {
    const retention = startRetention(db, config.storage, log.child({ module: 'retention' }));
    const wal = startWalRelease(db, config.storage.path);
    return stopOnly(() => {
      wal.stop();
      retention.stop();
    });
  },
};
