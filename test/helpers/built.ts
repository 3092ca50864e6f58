// Paths into the build (dist/), which `npm test` makes first: the training process is a plain Node.js
// script, so tests that run the .ts sources point the trainer at the built one.
export const BUILT_WORKER_URL = new URL('../../dist/train/worker.js', import.meta.url);
