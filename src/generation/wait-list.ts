/**
 * Callers waiting for a poll that started at or after a given time (their `since`): the poller
 * releases everyone covered by a poll with that poll's answer. Aborting a caller's signal takes it
 * out of the list and rejects with the signal's reason.
 */
interface Waiter<T> {
  since: number;
  resolve: (value: T) => void;
}

export class WaitList<T> {
  private waiters: Waiter<T>[] = [];

  get size(): number {
    return this.waiters.length;
  }

  /** Resolves with the value of the first release that covers `since`. */
  wait(since: number, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        since,
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Resolves, with `value`, everyone waiting for a poll started at or before `upTo`. */
  release(upTo: number, value: T): void {
    const ready = this.waiters.filter((w) => w.since <= upTo);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.since > upTo);
    for (const waiter of ready) waiter.resolve(value);
  }
}
