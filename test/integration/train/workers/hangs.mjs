// A training process that never replies, to test stop() and overlapping runs deterministically.
// Keeps the process alive without ever replying.
setInterval(() => process.send?.({ kind: 'not-a-reply' }), 1 << 30);
