// A training process killed by a signal, as the kernel's OOM killer does past the unit's MemoryMax.
process.kill(process.pid, 'SIGKILL');
