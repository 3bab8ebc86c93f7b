/**
 * The account's concurrent-job limit, kept locally: a FIFO semaphore. Jobs beyond the limit wait
 * here, costing nothing, instead of reaching Midjourney and provoking "Job queued" / "Queue full".
 */

export interface SlotStats {
  limit: number;
  inUse: number;
  /** Jobs waiting for a slot. */
  waiting: number;
}

interface Waiter {
  grant: () => void;
}

export class Slots {
  private inUse = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limit: number) {}

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.inUse < this.limit && this.waiters.length === 0) {
      this.inUse += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  stats(): SlotStats {
    return { limit: this.limit, inUse: this.inUse, waiting: this.waiters.length };
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter: inUse stays the same.
      if (next) next.grant();
      else this.inUse -= 1;
    };
  }
}
