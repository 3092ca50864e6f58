// Summarises rejected messages in the log once a minute (counts by reason and a few examples), so a
// device sending garbage cannot turn into a flood of log lines.
import type { Logger } from '../log.js';
import type { Rejection } from './reasons.js';

const SUMMARY_EVERY_MS = 60_000;
const EXAMPLES = 3;

export class RejectionSummary {
  private counts = new Map<string, number>();
  private examples: Array<{ topic: string; reason: string; detail: string }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly log: Logger, everyMs = SUMMARY_EVERY_MS) {
    this.timer = setInterval(() => this.report(), everyMs);
    this.timer.unref();
  }

  add(topic: string, rejection: Rejection): void {
    this.counts.set(rejection.reason, (this.counts.get(rejection.reason) ?? 0) + 1);
    if (this.examples.length < EXAMPLES) this.examples.push({ topic: topic.slice(0, 200), ...rejection });
  }

  stop(): void {
    clearInterval(this.timer);
    this.report();
  }

  private report(): void {
    if (this.counts.size === 0) return;
    this.log.warn({ rejected: Object.fromEntries(this.counts), examples: this.examples }, 'messages rejected (kept as dead letters)');
    this.counts = new Map();
    this.examples = [];
  }
}
