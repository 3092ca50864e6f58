// Store-and-forward for the Sparkplug edge node: predictions made while no Sparkplug session is up,
// held in a bounded ring (oldest dropped and counted) until the next births. In memory; no I/O.

export class HeldQueue<T> {
  private readonly items: Array<T | undefined>;
  private start = 0;
  private count = 0;
  private droppedTotal = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(Math.max(0, capacity));
  }

  get size(): number {
    return this.count;
  }

  /** Items dropped (the oldest) because the queue was full, since start. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Adds an item; returns false when it (capacity 0) or the oldest item had to be dropped. */
  push(item: T): boolean {
    if (this.capacity === 0) {
      this.droppedTotal++;
      return false;
    }
    if (this.count === this.capacity) {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
      this.droppedTotal++;
      return false;
    }
    this.items[(this.start + this.count) % this.capacity] = item;
    this.count++;
    return true;
  }

  /** Removes and returns everything held, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) {
      const index = (this.start + i) % this.capacity;
      out.push(this.items[index]!);
      this.items[index] = undefined;
    }
    this.start = 0;
    this.count = 0;
    return out;
  }
}
