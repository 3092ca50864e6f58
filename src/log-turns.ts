// Rate limits for log lines that repeat: each key (a topic, a reason) is logged at most once a
// minute, with how many were held back since. A flood of bad input must not become a flood of logs.

const LOG_EVERY_MS = 60_000;
const MAX_LOG_KEYS = 1_000;

export class LogTurns {
  private readonly turns = new Map<string, { next: number; suppressed: number }>();

  /**
   * Whether `key` may be logged now: at most once a minute, with how many were held back since
   * (`repeated`); null while its minute runs.
   */
  take(key: string): { repeated?: number } | null {
    const now = Date.now();
    const last = this.turns.get(key);
    if (last && now < last.next) {
      last.suppressed++;
      return null;
    }
    // Keys can come from the network (topics): bounded, so they cannot grow memory.
    if (this.turns.size >= MAX_LOG_KEYS) this.turns.clear();
    this.turns.set(key, { next: now + LOG_EVERY_MS, suppressed: 0 });
    return last ? { repeated: last.suppressed + 1 } : {};
  }
}
