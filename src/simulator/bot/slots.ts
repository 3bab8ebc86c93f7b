/**
 * Concurrency like a Midjourney plan: a few jobs run at once (fast and turbo share the fast
 * slots, relaxed has its own), a bounded queue waits behind them, and beyond that "Queue full".
 */
import type { BotMode } from './types.js';

export type SlotAnswer = 'started' | 'queued' | 'full';

export class SlotPool<T> {
  private readonly running = new Map<T, 'fast' | 'relaxed'>();
  private readonly waiting: { job: T; pool: 'fast' | 'relaxed' }[] = [];

  constructor(private readonly limits: { fastSlots: number; relaxedSlots: number; queueSize: number }) {}

  private static pool(mode: BotMode): 'fast' | 'relaxed' {
    return mode === 'relaxed' ? 'relaxed' : 'fast';
  }

  private count(pool: 'fast' | 'relaxed'): number {
    let n = 0;
    for (const p of this.running.values()) if (p === pool) n++;
    return n;
  }

  private hasRoom(pool: 'fast' | 'relaxed'): boolean {
    return this.count(pool) < (pool === 'fast' ? this.limits.fastSlots : this.limits.relaxedSlots);
  }

  /** Takes a slot, or a place in the queue, or neither. */
  acquire(job: T, mode: BotMode): SlotAnswer {
    const pool = SlotPool.pool(mode);
    if (this.hasRoom(pool) && !this.waiting.some((w) => w.pool === pool)) {
      this.running.set(job, pool);
      return 'started';
    }
    if (this.waiting.length >= this.limits.queueSize) return 'full';
    this.waiting.push({ job, pool });
    return 'queued';
  }

  /** Frees a job's slot (or queue place); returns the queued jobs that now start, oldest first. */
  release(job: T): T[] {
    const queuedAt = this.waiting.findIndex((w) => w.job === job);
    if (queuedAt >= 0) this.waiting.splice(queuedAt, 1);
    if (!this.running.delete(job)) return [];
    const started: T[] = [];
    for (let i = 0; i < this.waiting.length; ) {
      const next = this.waiting[i]!;
      if (this.hasRoom(next.pool)) {
        this.waiting.splice(i, 1);
        this.running.set(next.job, next.pool);
        started.push(next.job);
      } else {
        i++;
      }
    }
    return started;
  }

  /** 1-based place in the queue, 0 when not queued. */
  position(job: T): number {
    return this.waiting.findIndex((w) => w.job === job) + 1;
  }

  get runningCount(): number {
    return this.running.size;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  clear(): void {
    this.running.clear();
    this.waiting.length = 0;
  }
}
