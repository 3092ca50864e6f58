// A training worker that never replies, to test stop() and overlapping runs deterministically.
import { parentPort } from 'node:worker_threads';
// Keeps the thread alive without ever replying.
setInterval(() => parentPort?.postMessage({ kind: 'not-a-reply' }), 1 << 30);
