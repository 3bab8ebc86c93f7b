import type { Clock } from '../../src/util/clock.js';

/** Time that moves only when the test says: `advance(ms)` wakes every sleep that falls due. */
export class ManualClock implements Clock {
  private t = 1_000_000;
  private readonly sleepers: { at: number; wake: () => void }[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const entry = { at: this.t + ms, wake: resolve };
      this.sleepers.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers.splice(this.sleepers.indexOf(entry), 1);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Pending sleeps. */
  get waiting(): number {
    return this.sleepers.length;
  }

  async advance(ms: number): Promise<void> {
    this.t += ms;
    for (const entry of [...this.sleepers]) {
      if (entry.at <= this.t) {
        this.sleepers.splice(this.sleepers.indexOf(entry), 1);
        entry.wake();
      }
    }
    // Let the woken loops run up to their next await on Redis or the clock.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}
