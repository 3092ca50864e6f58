// A training process whose job throws before replying, as a bug in the job would.
throw new Error('synthetic failure in the training job');
