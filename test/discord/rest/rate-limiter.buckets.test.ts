import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/discord/rest/rate-limiter.js';
import { routeFor } from '../../../src/discord/rest/routes.js';
import { bucketHeaders, CHANNEL_1, CHANNEL_2, messagesRoute, ok, type Started, start } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Replies like a bucket of `limit` requests per `resetAfter` seconds, counting down. */
function bucketServer(hash: string, limit: number, resetAfter: number) {
  let remaining = limit;
  let resetAt = 0;
  return (permit: { complete: (r: ReturnType<typeof ok>) => unknown }) => {
    const now = Date.now();
    if (now >= resetAt) {
      remaining = limit;
      resetAt = now + resetAfter * 1000;
    }
    remaining -= 1;
    permit.complete(
      ok(bucketHeaders({ bucket: hash, limit, remaining, resetAfter: (resetAt - now) / 1000 })),
    );
  };
}

describe('RateLimiter per-route buckets', () => {
  it('an exhausted bucket waits for its reset while another major parameter goes on', async () => {
    const limiter = new RateLimiter();
    const server1 = bucketServer('msgs', 2, 5);
    const server2 = bucketServer('msgs', 2, 5);
    const log: Started[] = [];
    const all = [
      ...[0, 1, 2, 3].map((i) => start(limiter, messagesRoute(CHANNEL_1), `ch1-${i}`, log, server1)),
      ...[0, 1].map((i) => start(limiter, messagesRoute(CHANNEL_2), `ch2-${i}`, log, server2)),
    ];
    await vi.advanceTimersByTimeAsync(12_000);
    await Promise.all(all);
    const at = Object.fromEntries(log.map((s) => [s.label, s.at - log[0]!.at]));
    // FIFO where allowed: ch1-0, ch1-1 (350), then ch1 is exhausted until 5000, so channel 2 goes.
    expect(log.map((s) => s.label)).toEqual(['ch1-0', 'ch1-1', 'ch2-0', 'ch2-1', 'ch1-2', 'ch1-3']);
    expect(at).toEqual({
      'ch1-0': 0,
      'ch1-1': 350,
      'ch2-0': 700,
      'ch2-1': 1050,
      'ch1-2': 5000,
      'ch1-3': 5350,
    });
    // Same hash, different channel: separate buckets in the stats.
    const keys = limiter.stats().buckets.map((b) => b.key);
    expect(keys).toEqual(
      expect.arrayContaining([`msgs:channels/${CHANNEL_1}`, `msgs:channels/${CHANNEL_2}`]),
    );
  });

  it('a bucket reset uses Reset-After, and the next request starts no earlier', async () => {
    const limiter = new RateLimiter();
    const first = await limiter.acquire(messagesRoute(CHANNEL_1));
    first.complete(ok(bucketHeaders({ bucket: 'h', limit: 1, remaining: 0, resetAfter: 1.234 })));
    const log: Started[] = [];
    const next = start(limiter, messagesRoute(CHANNEL_1), 'next', log, (p) => p.complete(ok()));
    await vi.advanceTimersByTimeAsync(1_233);
    expect(log).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(log).toHaveLength(1);
  });

  it('the bucket key written from a response is the key read for the next request', async () => {
    const limiter = new RateLimiter();
    // The path differs in its minor id and its query, but the route key is the same.
    const a = routeFor('GET', `/channels/${CHANNEL_1}/messages/300000000000000001?x=1`);
    const b = routeFor('GET', `/channels/${CHANNEL_1}/messages/300000000000000002`);
    expect(a.key).toBe(b.key);
    (await limiter.acquire(a)).complete(
      ok(bucketHeaders({ bucket: 'm', limit: 1, remaining: 0, resetAfter: 3 })),
    );
    let started = false;
    const next = limiter.acquire(b).then((p) => {
      started = true;
      p.complete(ok());
    });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(started).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(started).toBe(true);
    expect(limiter.stats().buckets.map((x) => x.key)).toContain(`m:channels/${CHANNEL_1}`);
  });

  it('two routes sharing one hash share its limit', async () => {
    const limiter = new RateLimiter();
    const get = routeFor('GET', `/channels/${CHANNEL_1}/messages`);
    const post = routeFor('POST', `/channels/${CHANNEL_1}/messages`);
    (await limiter.acquire(get)).complete(
      ok(bucketHeaders({ bucket: 'shared', limit: 5, remaining: 3, resetAfter: 5 })),
    );
    await vi.advanceTimersByTimeAsync(350);
    // The POST route learns the same hash from its first answer, which says the bucket is now empty.
    (await limiter.acquire(post)).complete(
      ok(bucketHeaders({ bucket: 'shared', limit: 5, remaining: 0, resetAfter: 4 })),
    );
    let getStarted = false;
    const next = limiter.acquire(get).then((p) => {
      getStarted = true;
      p.complete(ok());
    });
    await vi.advanceTimersByTimeAsync(3_999);
    expect(getStarted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(getStarted).toBe(true);
    expect(limiter.stats().buckets.filter((x) => x.hash === 'shared')).toHaveLength(1);
  });

  it('follows a bucket hash that changes mid-stream', async () => {
    const limiter = new RateLimiter();
    const debug: string[] = [];
    limiter.on('debug', (m) => debug.push(m));
    const route = messagesRoute(CHANNEL_1);
    (await limiter.acquire(route)).complete(
      ok(bucketHeaders({ bucket: 'old', limit: 5, remaining: 4, resetAfter: 5 })),
    );
    await vi.advanceTimersByTimeAsync(350);
    (await limiter.acquire(route)).complete(
      ok(bucketHeaders({ bucket: 'new', limit: 1, remaining: 0, resetAfter: 2 })),
    );
    expect(debug).toContain(`GET /channels/${CHANNEL_1}/messages: bucket old -> new`);
    let started = false;
    const next = limiter.acquire(route).then((p) => {
      started = true;
      p.complete(ok());
    });
    // The old bucket still has 4 left, but the route now counts against the new, empty one.
    await vi.advanceTimersByTimeAsync(1_999);
    expect(started).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(started).toBe(true);
  });

  it('a response without rate-limit headers never stalls its bucket', async () => {
    const limiter = new RateLimiter();
    const route = messagesRoute(CHANNEL_1);
    const log: Started[] = [];
    const all = [0, 1, 2, 3, 4].map((i) =>
      start(limiter, route, `r${i}`, log, (p) => p.complete({ status: 200, headers: {}, body: undefined })),
    );
    await vi.advanceTimersByTimeAsync(5 * 350);
    await Promise.all(all);
    expect(log).toHaveLength(5);
  });

  it('Remaining 0 without any reset header waits a bounded time, not forever', async () => {
    const limiter = new RateLimiter();
    const route = messagesRoute(CHANNEL_1);
    (await limiter.acquire(route)).complete(ok({ 'x-ratelimit-remaining': '0', 'x-ratelimit-bucket': 'z' }));
    let granted = false;
    const next = limiter.acquire(route).then((permit) => {
      granted = true;
      return permit;
    });
    // Parked for the fallback second (a stalled bucket), not sent at once...
    await vi.advanceTimersByTimeAsync(999);
    expect(granted).toBe(false);
    // ...and not forever.
    await vi.advanceTimersByTimeAsync(1);
    expect(granted).toBe(true);
    (await next).complete(ok());
    expect(limiter.stats().inFlight).toBe(0);
  });

  it.each([
    ['no reset header at all', {}, 1_000],
    ['a Reset epoch already past by our clock', { 'x-ratelimit-reset': '1699999990' }, 100],
    ['Reset-After 0', { 'x-ratelimit-reset-after': '0' }, 100],
    ['an absurd Reset-After', { 'x-ratelimit-reset-after': '1e12' }, 3_600_000],
  ])('Remaining 0 with %s waits a bounded, non-zero time (%i ms)', async (_label, reset, waitMs) => {
    const limiter = new RateLimiter();
    const route = messagesRoute(CHANNEL_1);
    const t0 = Date.now();
    (await limiter.acquire(route)).complete(
      ok({ ...bucketHeaders({ bucket: 'z', limit: 5, remaining: 0 }), ...reset }),
    );
    let startedAt = -1;
    const next = limiter.acquire(route).then((p) => {
      startedAt = Date.now() - t0;
      p.complete(ok());
    });
    expect(limiter.stats().buckets.find((b) => b.key.startsWith('z:'))?.resetInMs).toBe(waitMs);
    await vi.advanceTimersByTimeAsync(waitMs - 1);
    expect(startedAt).toBe(-1);
    await vi.advanceTimersByTimeAsync(Math.max(1, 351 - waitMs));
    await next;
    // The bucket's wait, or the 350 ms spacing when that is longer: never zero, never forever.
    expect(startedAt).toBe(Math.max(waitMs, 350));
  });

  it('a 5xx or error answer still releases the bucket', async () => {
    const limiter = new RateLimiter();
    const route = messagesRoute(CHANNEL_1);
    (await limiter.acquire(route)).complete({ status: 502, headers: {}, body: 'bad gateway' });
    const next = limiter.acquire(route);
    await vi.advanceTimersByTimeAsync(350);
    (await next).complete(ok());
    expect(limiter.stats().inFlight).toBe(0);
  });
});

describe('RateLimiter memory', () => {
  it('sweeps idle buckets and routes, and keeps the maps bounded under many channel ids', async () => {
    const limiter = new RateLimiter({
      minSpacingMs: 0,
      allowUnsafeSpacing: true,
      globalLimitPerSecond: 10_000,
      maxBuckets: 200,
      idleSweepMs: 60_000,
      sweepIntervalMs: 10_000,
    });
    for (let i = 0; i < 1_500; i += 1) {
      const route = messagesRoute(`1000000000${String(i).padStart(8, '0')}`);
      (await limiter.acquire(route)).complete(
        ok(bucketHeaders({ bucket: 'msgs', limit: 5, remaining: 4, resetAfter: 1 })),
      );
    }
    let stats = limiter.stats();
    expect(stats.routes).toBeLessThanOrEqual(201);
    expect(stats.buckets.length).toBeLessThanOrEqual(201);
    await vi.advanceTimersByTimeAsync(61_000);
    (await limiter.acquire(routeFor('GET', '/users/@me'))).complete(ok());
    stats = limiter.stats();
    expect(stats.routes).toBe(1);
    expect(stats.buckets).toHaveLength(1);
  });

  it('never sweeps a bucket whose limit is still in force', async () => {
    const limiter = new RateLimiter({ idleSweepMs: 0, sweepIntervalMs: 0 });
    const route = messagesRoute(CHANNEL_1);
    (await limiter.acquire(route)).complete(
      ok(bucketHeaders({ bucket: 'h', limit: 1, remaining: 0, resetAfter: 30 })),
    );
    await vi.advanceTimersByTimeAsync(400);
    (await limiter.acquire(routeFor('GET', '/users/@me'))).complete(ok());
    expect(limiter.stats().buckets.map((b) => b.key)).toContain(`h:channels/${CHANNEL_1}`);
    let started = false;
    void limiter.acquire(route).then((p) => {
      started = true;
      p.complete(ok());
    });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(started).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(started).toBe(true);
  });
});
