// A training worker that dies without a reply (as an out-of-memory kill of the thread would).
process.exit(3);
