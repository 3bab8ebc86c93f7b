/**
 * Time as a dependency. Every wait in the project goes through a Clock so tests run on fake
 * time (vitest fake timers drive `systemClock` too, since it reads `Date.now` and `setTimeout`
 * at call time).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function sleep(ms: number, signal?: AbortSignal, options: { unref?: boolean } = {}): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    if (options.unref) timer.unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) => sleep(ms, signal),
});

/**
 * Like `systemClock`, but its timers are `unref()`ed: background waits (heartbeats, reconnect
 * backoff) never keep a CLI process alive on their own.
 */
export const backgroundClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) => sleep(ms, signal, { unref: true }),
});

/** A source of uniform random numbers in [0, 1); injectable so jitter is testable. */
export type Random = () => number;

/** A uniformly jittered duration in [min, max]. */
export function jitter(min: number, max: number, random: Random = Math.random): number {
  return min + (max - min) * random();
}
