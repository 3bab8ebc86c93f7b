import type { Clock } from '../../../src/util/clock.js';

/** A clock that only moves when the test says so; sleepers wake on `advance`. */
export class ManualClock implements Clock {
  time = 1_700_000_000_000;
  private sleepers: { until: number; resolve: () => void }[] = [];

  now(): number {
    return this.time;
  }

  /** The deadlines of everyone asleep, relative to now. */
  get sleeping(): number[] {
    return this.sleepers.map((s) => s.until - this.time);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const sleeper = {
        until: this.time + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      if (ms <= 0) this.advance(0);
    });
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.until <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.until > this.time);
    for (const s of due) s.resolve();
  }
}

/**
 * Lets pending promises and I/O callbacks (journal fsyncs) run until `condition` holds. It yields
 * to the event loop rather than sleeping; the deadline only turns a hang into a clear failure.
 */
export async function waitFor(
  condition: () => boolean,
  what = 'condition',
  deadlineMs = 5_000,
): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  while (performance.now() < deadline) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`waitFor: ${what} never became true`);
}

/** Yields to the event loop `turns` times: lets anything that would happen now, happen. */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
