// The release before issue 14 (commit 23012a4, built in a worktree of its own) as a column beside
// today's retrain. Its buffer schema is older (a buffer this tree has opened is refused by it), so it
// gets a copy of the same readings and faults in a buffer its own migrations made.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The old release's worktree; BENCH_OLD_TREE overrides, BENCH_OLD_TREE= leaves the column out. */
const TREE = process.env.BENCH_OLD_TREE ?? '/work/wt-old';
export const OLD_DIST = `${TREE}/dist`;

export function oldReleaseBuilt() {
  return TREE !== '' && existsSync(`${OLD_DIST}/train/trainer.js`);
}

/** Copies the assets, series, readings and faults of `from` into a new buffer at `to`, made by the old release. */
export async function copyForOldRelease(from, to) {
  const { openDatabase } = await import(pathToFileURL(`${OLD_DIST}/store/db.js`).href);
  const db = openDatabase(to, { sync: 'normal' });
  try {
    db.prepare('ATTACH DATABASE ? AS src').run(from);
    db.transaction(() => {
      for (const table of ['assets', 'series', 'readings', 'faults']) db.exec(`INSERT INTO main.${table} SELECT * FROM src.${table}`);
    })();
    db.exec('DETACH DATABASE src');
  } finally {
    db.close();
  }
}
