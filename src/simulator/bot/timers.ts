/** Every pending timer of the bot, so `stop()` can cancel them all at once. */
import type { SimClock } from '../world.js';

export class Timers {
  private readonly pending = new Set<() => void>();
  private stopped = false;

  constructor(private readonly clock: SimClock) {}

  /** Runs `fn` after `ms` simulated ms unless cancelled or stopped first. */
  after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const cancel = this.clock.after(Math.max(0, ms), () => {
      this.pending.delete(cancel);
      if (!this.stopped) fn();
    });
    this.pending.add(cancel);
  }

  /** Cancels every pending timer; later `after` calls are ignored. */
  stop(): void {
    this.stopped = true;
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
