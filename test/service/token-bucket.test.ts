import { afterEach, describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from '../../src/service/limits/token-bucket.js';
import { ManualClock } from './helpers/http.js';

describe('TokenBucketLimiter', () => {
  const limiters: TokenBucketLimiter[] = [];
  const make = (options: ConstructorParameters<typeof TokenBucketLimiter>[0]) => {
    const limiter = new TokenBucketLimiter({ sweepIntervalMs: 0, ...options });
    limiters.push(limiter);
    return limiter;
  };
  afterEach(() => {
    for (const l of limiters.splice(0)) l.close();
  });

  it('allows a burst up to capacity, then refuses with the time until the next token', () => {
    const clock = new ManualClock();
    const limiter = make({ requests: 10, windowMs: 60_000, burst: 3, clock });
    expect([1, 2, 3].map(() => limiter.take('k').allowed)).toEqual([true, true, true]);
    const refused = limiter.take('k');
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 6_000 });
  });

  it('refund gives a token back, never beyond the burst, and ignores unknown keys', () => {
    const clock = new ManualClock();
    const limiter = make({ requests: 10, windowMs: 60_000, burst: 2, clock });
    limiter.take('k');
    limiter.take('k');
    expect(limiter.take('k').allowed).toBe(false);
    limiter.refund('k');
    expect(limiter.take('k')).toEqual({ allowed: true, remaining: 0 });
    limiter.refund('k');
    limiter.refund('k');
    limiter.refund('k');
    expect([1, 2, 3].map(() => limiter.take('k').allowed)).toEqual([true, true, false]);
    limiter.refund('nobody');
    expect(limiter.stats().trackedKeys).toBe(1);
  });

  it('refills continuously, not per window', () => {
    const clock = new ManualClock();
    const limiter = make({ requests: 10, windowMs: 10_000, burst: 2, clock });
    limiter.take('k');
    limiter.take('k');
    expect(limiter.take('k').allowed).toBe(false);
    clock.advance(999);
    const early = limiter.take('k');
    expect(early.allowed).toBe(false);
    expect(early).toMatchObject({ retryAfterMs: 1 });
    clock.advance(1);
    expect(limiter.take('k').allowed).toBe(true);
    // A long pause refills only up to capacity.
    clock.advance(3_600_000);
    expect([1, 2, 3].map(() => limiter.take('k').allowed)).toEqual([true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const clock = new ManualClock();
    const limiter = make({ requests: 1, windowMs: 1_000, clock });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.stats()).toEqual({ trackedKeys: 2, limitedKeys: 2, rejected: 1 });
  });

  it('sweeps buckets that are idle and full again, and only those', () => {
    const clock = new ManualClock();
    const limiter = make({ requests: 1, windowMs: 60_000, burst: 1, idleMs: 10_000, clock });
    limiter.take('old');
    clock.advance(10_000);
    limiter.take('recent');
    // "old" is idle for 10 s but holds only 1/6 of a token: forgetting it would grant a free request.
    expect(limiter.sweep()).toBe(0);
    clock.advance(60_000);
    expect(limiter.sweep()).toBe(2);
    expect(limiter.stats().trackedKeys).toBe(0);
  });

  it('sweeps on an unref-ed interval', async () => {
    const { vi } = await import('vitest');
    vi.useFakeTimers({ now: 0 });
    try {
      const limiter = make({ requests: 1, windowMs: 1_000, idleMs: 5_000, sweepIntervalMs: 5_000 });
      limiter.take('k');
      expect(limiter.stats().trackedKeys).toBe(1);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(limiter.stats().trackedKeys).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses nonsense options with the option name', () => {
    expect(() => new TokenBucketLimiter({ requests: 0, windowMs: 1 })).toThrow(/requests/);
    expect(() => new TokenBucketLimiter({ requests: 1, windowMs: -5 })).toThrow(/windowMs/);
    expect(() => new TokenBucketLimiter({ requests: 1, windowMs: 1, burst: 0 })).toThrow(/burst/);
  });
});
