/**
 * When the next submission may go out. Two brakes, both account-wide: after "Queue full" every
 * slot waits out a pause (never flood a full queue); after "Job queued" no new job goes out until
 * the queued one runs or ends (the account has fewer free slots than we thought, e.g. another
 * client shares it). Stopping wakes every waiter with "no".
 */
import type { Clock } from '../util/clock.js';

export class SubmissionGate {
  private pausedUntil = 0;
  private readonly held = new Set<string>();
  private readonly wakers = new Set<() => void>();
  /** Callers waiting right now. */
  waiting = 0;

  constructor(
    private readonly clock: Clock,
    /** Aborts when the batch stops. */
    private readonly stop: AbortSignal,
    /** Told when `waiting` changes. */
    private readonly onWaitingChange: () => void = () => {},
  ) {
    stop.addEventListener('abort', () => this.wake(), { once: true });
  }

  /** Pauses every submission until `ms` from now (extends, never shortens, a pause). */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  /** Holds submissions while `key`'s job is queued at Midjourney; false if already held. */
  hold(key: string): boolean {
    if (this.held.has(key)) return false;
    this.held.add(key);
    return true;
  }

  /** `key`'s job runs or ended: lifts its hold. */
  release(key: string | undefined): void {
    if (key !== undefined && this.held.delete(key) && this.held.size === 0) this.wake();
  }

  /** Resolves true when a submission may go out, false when the batch is stopping. */
  async pass(): Promise<boolean> {
    let counted = false;
    try {
      for (;;) {
        if (this.stop.aborted) return false;
        const wait = this.pausedUntil - this.clock.now();
        if (wait <= 0 && this.held.size === 0) return true;
        if (!counted) {
          counted = true;
          this.waiting += 1;
          this.onWaitingChange();
        }
        if (wait > 0) {
          if (!(await this.sleep(wait))) return false;
        } else {
          await new Promise<void>((resolve) => this.wakers.add(resolve));
        }
      }
    } finally {
      if (counted) this.waiting -= 1;
    }
  }

  /** Sleeps unless the batch stops first; false when it did. */
  async sleep(ms: number): Promise<boolean> {
    try {
      await this.clock.sleep(ms, this.stop);
      return true;
    } catch {
      return false;
    }
  }

  private wake(): void {
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }
}
