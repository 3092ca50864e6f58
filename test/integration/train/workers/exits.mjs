// A training process that dies without a reply (as an out-of-memory kill would).
process.exit(3);
