import type { Clock } from '../../util/clock.js';

/**
 * The gateway's default clock: like `systemClock`, but its timers are `unref()`ed so heartbeat
 * and reconnect waits never keep a CLI process alive on their own (the open socket does, while
 * it is open). Reads `setTimeout` at call time, so vitest fake timers drive it too.
 */
export const backgroundClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
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
      timer.unref?.();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
});
