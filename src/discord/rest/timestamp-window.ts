/**
 * A sliding window of event times: how many happened in the last `windowMs`, and when the oldest
 * leaves. Serves both the global 50-per-second limit and the 10-minute invalid-request window.
 * Times only ever increase, so a queue (array + head index) with pruning from the front is enough;
 * its size is bounded by how many events the window can hold.
 */
export class TimestampWindow {
  private times: number[] = [];
  private head = 0;

  constructor(readonly windowMs: number) {}

  record(now: number): void {
    this.times.push(now);
  }

  /** Events in (now - windowMs, now]. */
  count(now: number): number {
    this.prune(now);
    return this.times.length - this.head;
  }

  /** When the count next drops by one; undefined when empty. */
  nextExpiry(now: number): number | undefined {
    this.prune(now);
    const oldest = this.times[this.head];
    return oldest === undefined ? undefined : oldest + this.windowMs;
  }

  private prune(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) this.head += 1;
    // Compact once the dead prefix dominates, so memory stays proportional to the live count.
    if (this.head === this.times.length || (this.head > 1024 && this.head * 2 > this.times.length)) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }
}
