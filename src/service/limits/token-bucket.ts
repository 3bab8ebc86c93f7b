/**
 * A token-bucket limiter keyed by client: `requests` per `windowMs` refilled continuously, up to
 * `burst` tokens banked. Pure arithmetic over an injected clock; the only timer is the idle
 * sweep, unref'd so it never keeps the process alive.
 */
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';

export interface TokenBucketOptions {
  /** Requests per window. Required. */
  requests: number;
  /** Window in ms. Required. */
  windowMs: number;
  /** Capacity; default `requests`. */
  burst?: number;
  /** Buckets untouched this long (and full again) are dropped. Default 10 min. */
  idleMs?: number;
  /** How often the sweep runs; default `idleMs`, 0 for never (call `sweep()` yourself). */
  sweepIntervalMs?: number;
  clock?: Clock;
}

export type TakeResult =
  | { allowed: true; remaining: number }
  | { allowed: false; remaining: number /** ms until `cost` tokens are available. */; retryAfterMs: number };

export interface TokenBucketStats {
  /** Buckets currently held in memory. */
  trackedKeys: number;
  /** Keys whose bucket holds less than one token now. */
  limitedKeys: number;
  /** Requests refused since start. */
  rejected: number;
}

/** Refill is floating point: absorb rounding so 0.999 + 0.001 tokens counts as one. */
const EPSILON = 1e-9;

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBucketLimiter {
  readonly capacity: number;
  /** Tokens added per ms. */
  readonly refillPerMs: number;
  private readonly idleMs: number;
  private readonly clock: Clock;
  private readonly buckets = new Map<string, Bucket>();
  private readonly timer: NodeJS.Timeout | undefined;
  private rejected = 0;

  constructor(options: TokenBucketOptions) {
    const { requests, windowMs } = options;
    if (!Number.isFinite(requests) || requests <= 0)
      throw new RangeError(`requests: must be > 0, got ${requests}`);
    if (!Number.isFinite(windowMs) || windowMs <= 0)
      throw new RangeError(`windowMs: must be > 0, got ${windowMs}`);
    this.capacity = options.burst ?? requests;
    if (!Number.isFinite(this.capacity) || this.capacity < 1) {
      throw new RangeError(`burst: must be >= 1, got ${this.capacity}`);
    }
    this.refillPerMs = requests / windowMs;
    this.idleMs = options.idleMs ?? 600_000;
    this.clock = options.clock ?? systemClock;
    const interval = options.sweepIntervalMs ?? this.idleMs;
    if (interval > 0) {
      this.timer = setInterval(() => this.sweep(), interval);
      this.timer.unref();
    }
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.capacity, updatedAt: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.refillPerMs);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Takes `cost` tokens from `key`'s bucket if it has them. */
  take(key: string, cost = 1): TakeResult {
    const now = this.clock.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens + EPSILON >= cost) {
      bucket.tokens = Math.max(0, bucket.tokens - cost);
      return { allowed: true, remaining: Math.floor(bucket.tokens) };
    }
    this.rejected += 1;
    const retryAfterMs = Math.max(1, Math.ceil((cost - bucket.tokens) / this.refillPerMs - EPSILON));
    return { allowed: false, remaining: Math.floor(bucket.tokens), retryAfterMs };
  }

  /**
   * Gives back `cost` tokens taken from `key` for a request that was then refused (see
   * refund-policy.ts), never beyond `burst`. A key without a bucket has nothing to give back.
   */
  refund(key: string, cost = 1): void {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return;
    const now = this.clock.now();
    this.refill(key, now);
    bucket.tokens = Math.min(this.capacity, bucket.tokens + cost);
  }

  /** Drops buckets idle for `idleMs` that have refilled completely (forgetting them changes nothing). */
  sweep(): number {
    const now = this.clock.now();
    let dropped = 0;
    for (const [key, bucket] of this.buckets) {
      const idle = now - bucket.updatedAt;
      const tokens = Math.min(this.capacity, bucket.tokens + idle * this.refillPerMs);
      if (idle >= this.idleMs && tokens >= this.capacity) {
        this.buckets.delete(key);
        dropped += 1;
      }
    }
    return dropped;
  }

  stats(): TokenBucketStats {
    const now = this.clock.now();
    let limitedKeys = 0;
    for (const bucket of this.buckets.values()) {
      const tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
      if (tokens < 1) limitedKeys += 1;
    }
    return { trackedKeys: this.buckets.size, limitedKeys, rejected: this.rejected };
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
