import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../../../src/discord/rest/rate-limiter.js';
import { DEFAULT_RATE_LIMITER_OPTIONS } from '../../../src/discord/rest/rate-limiter-options.js';
import { routeFor } from '../../../src/discord/rest/routes.js';
import { ValidationError } from '../../../src/errors.js';
import { CHANNEL_1, gaps, INTERACTIONS, messagesRoute, ok, type Started, start } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const channel = (i: number): string => `1000000000000${String(i).padStart(5, '0')}`;

describe('RateLimiter minimum spacing (fake time)', () => {
  it('starts 20 concurrent callers in FIFO order, each >= 350 ms after the previous (defaults)', async () => {
    const limiter = new RateLimiter();
    expect(limiter.options.minSpacingMs).toBe(350);
    const log: Started[] = [];
    // Half on one route, half on twenty others: the spacing is token-wide, not per route.
    const all = Array.from({ length: 20 }, (_, i) =>
      start(limiter, i % 2 === 0 ? messagesRoute(CHANNEL_1) : messagesRoute(channel(i)), `c${i}`, log, (p) =>
        p.complete(ok()),
      ),
    );
    await vi.advanceTimersByTimeAsync(20 * 350);
    await Promise.all(all);
    expect(log.map((s) => s.label)).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
    for (const gap of gaps(log)) expect(gap).toBeGreaterThanOrEqual(350);
    // ...and not slower than the ceiling: back-to-back at exactly the spacing.
    expect(log.at(-1)!.at - log[0]!.at).toBe(19 * 350);
  });

  it('keeps the spacing across idle periods and never lets a late caller jump the queue', async () => {
    const limiter = new RateLimiter();
    const log: Started[] = [];
    const first = start(limiter, INTERACTIONS, 'a', log, (p) => p.complete(ok()));
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(100);
    const second = start(limiter, messagesRoute(CHANNEL_1), 'b', log, (p) => p.complete(ok()));
    const third = start(limiter, INTERACTIONS, 'c', log, (p) => p.complete(ok()));
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([first, second, third]);
    expect(log.map((s) => s.label)).toEqual(['a', 'b', 'c']);
    expect(gaps(log)).toEqual([350, 350]);
  });

  it('a retry that passes its sequence back goes before later arrivals', async () => {
    const limiter = new RateLimiter();
    const order: string[] = [];
    const original = await limiter.acquire(INTERACTIONS);
    const later = limiter.acquire(messagesRoute(CHANNEL_1)).then((p) => {
      order.push('later');
      p.complete(ok());
    });
    original.fail();
    const retry = limiter.acquire(INTERACTIONS, { sequence: original.sequence }).then((p) => {
      order.push('retry');
      p.complete(ok());
    });
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([later, retry]);
    expect(order).toEqual(['retry', 'later']);
  });
});

describe('RateLimiter spacing from the send', () => {
  /** A first request granted at `t0` (waiting to say when it left, or not) and one queued behind it. */
  async function firstThenNext({ awaitSend }: { awaitSend: boolean }) {
    const limiter = new RateLimiter();
    const log: Started[] = [];
    const first = await limiter.acquire(INTERACTIONS);
    const t0 = Date.now();
    if (awaitSend) first.awaitSend();
    const next = start(limiter, messagesRoute(CHANNEL_1), 'next', log, (p) => p.complete(ok()));
    return { first, next, log, t0 };
  }

  it('holds every start while a granted request has not left, then spaces from when it left', async () => {
    const { first, next, log, t0 } = await firstThenNext({ awaitSend: true });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual([]);
    // It left (a slow connect) 1 s after its grant: the next starts 350 ms after that.
    first.sent();
    await vi.advanceTimersByTimeAsync(349);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await next;
    expect(log[0]!.at - t0).toBe(1_350);
    first.complete(ok());
  });

  it('a request that settles without leaving (connection refused) frees the others too', async () => {
    const { first, next, log, t0 } = await firstThenNext({ awaitSend: true });
    await vi.advanceTimersByTimeAsync(200);
    first.fail();
    await vi.advanceTimersByTimeAsync(350);
    await next;
    expect(log[0]!.at - t0).toBe(550);
  });

  it('a transport that never reports sends keeps the spacing from the grant', async () => {
    const { first, next, log, t0 } = await firstThenNext({ awaitSend: false });
    await vi.advanceTimersByTimeAsync(350);
    await next;
    expect(log[0]!.at - t0).toBe(350);
    first.complete(ok());
  });
});

describe('RateLimiter urgent requests', () => {
  it('grants an urgent request before older ones that are not, never twice in a row, keeping the spacing', async () => {
    const limiter = new RateLimiter();
    const order: string[] = [];
    const starts: number[] = [];
    const take = (label: string, route: ReturnType<typeof messagesRoute>, urgent = false) =>
      limiter.acquire(route, { urgent }).then((p) => {
        order.push(label);
        starts.push(Date.now());
        p.complete(ok());
      });
    const first = take('send 1', INTERACTIONS);
    await vi.advanceTimersByTimeAsync(0);
    // Queued behind the first: two sends (one route), then two polls of other channels marked urgent.
    const rest = [
      take('send 2', INTERACTIONS),
      take('send 3', INTERACTIONS),
      take('poll a', messagesRoute(channel(1)), true),
      take('poll b', messagesRoute(channel(2)), true),
    ];
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all([first, ...rest]);
    // poll a goes ahead of send 2; poll b may not overtake right after, so send 2 starts, then poll b
    // goes ahead of send 3.
    expect(order).toEqual(['send 1', 'poll a', 'send 2', 'poll b', 'send 3']);
    expect(starts.slice(1).map((t, i) => t - (starts[i] ?? 0))).toEqual([350, 350, 350, 350]);
  });

  it('a steady stream of urgent requests never starves the others: every other start is the oldest', async () => {
    const limiter = new RateLimiter();
    const order: string[] = [];
    (await limiter.acquire(routeFor('GET', '/users/@me'))).complete(ok());
    const sends = ['send 1', 'send 2', 'send 3'].map((label) =>
      limiter.acquire(INTERACTIONS).then((p) => {
        order.push(label);
        p.complete(ok());
      }),
    );
    let stop = false;
    // Three channels, each polled again as soon as its poll answers: an urgent request always waits.
    const poll = async (i: number): Promise<void> => {
      while (!stop) {
        const permit = await limiter.acquire(messagesRoute(channel(i)), { urgent: true });
        order.push('poll');
        permit.complete(ok());
      }
    };
    const polls = [1, 2, 3].map(poll);
    await vi.advanceTimersByTimeAsync(6 * 350);
    await Promise.all(sends);
    expect(order).toEqual(['poll', 'send 1', 'poll', 'send 2', 'poll', 'send 3']);
    stop = true;
    await vi.advanceTimersByTimeAsync(10 * 350);
    await Promise.all(polls);
  });

  it('still waits for its own route: an urgent request never overtakes one in flight on its bucket', async () => {
    const limiter = new RateLimiter();
    const order: string[] = [];
    const held = await limiter.acquire(messagesRoute(CHANNEL_1));
    const urgent = limiter.acquire(messagesRoute(CHANNEL_1), { urgent: true }).then((p) => {
      order.push('urgent');
      p.complete(ok());
    });
    const send = limiter.acquire(INTERACTIONS).then((p) => {
      order.push('send');
      p.complete(ok());
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(order).toEqual(['send']);
    held.complete(ok());
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([urgent, send]);
    expect(order).toEqual(['send', 'urgent']);
  });
});

describe('RateLimiter global limit', () => {
  it('never starts more than 50 requests in any one second, even with no spacing (loopback)', async () => {
    const limiter = new RateLimiter({ minSpacingMs: 0, allowUnsafeSpacing: true });
    const log: Started[] = [];
    const all = Array.from({ length: 120 }, (_, i) =>
      start(limiter, messagesRoute(channel(i)), `r${i}`, log, (p) => p.complete(ok())),
    );
    await vi.advanceTimersByTimeAsync(3_000);
    await Promise.all(all);
    expect(log).toHaveLength(120);
    for (let i = 50; i < log.length; i += 1)
      expect(log[i]!.at - log[i - 50]!.at).toBeGreaterThanOrEqual(1_000);
    expect(log[49]!.at - log[0]!.at).toBe(0);
    expect(log[50]!.at - log[0]!.at).toBe(1_000);
  });
});

describe('RateLimiter cancel', () => {
  it('an abort while queued rejects at once with the reason and frees the place', async () => {
    const limiter = new RateLimiter();
    const log: Started[] = [];
    const first = start(limiter, INTERACTIONS, 'first', log, (p) => p.complete(ok()));
    const controller = new AbortController();
    const aborted = start(limiter, messagesRoute(CHANNEL_1), 'aborted', log, undefined, controller.signal);
    const third = start(limiter, routeFor('GET', '/users/@me'), 'third', log, (p) => p.complete(ok()));
    await vi.advanceTimersByTimeAsync(10);
    expect(limiter.stats().queueDepth).toBe(2);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(limiter.stats().queueDepth).toBe(1);
    await vi.advanceTimersByTimeAsync(340);
    await Promise.all([first, third]);
    expect(log.map((s) => s.label)).toEqual(['first', 'third']);
    expect(gaps(log)).toEqual([350]);
  });

  it('an already aborted signal never enters the queue', async () => {
    const limiter = new RateLimiter();
    const controller = new AbortController();
    controller.abort(new Error('no'));
    await expect(limiter.acquire(INTERACTIONS, { signal: controller.signal })).rejects.toThrow('no');
    expect(limiter.stats().totals.requests).toBe(0);
  });

  it('a permit failed in flight (abort, network error) frees its bucket for the next request', async () => {
    const limiter = new RateLimiter();
    const permit = await limiter.acquire(INTERACTIONS);
    let second = false;
    const next = limiter.acquire(INTERACTIONS).then((p) => {
      second = true;
      p.complete(ok());
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(second).toBe(false); // one request in flight per bucket
    permit.fail();
    await vi.advanceTimersByTimeAsync(0);
    await next;
    expect(second).toBe(true);
    expect(limiter.stats().inFlight).toBe(0);
  });

  it('leaves no timer behind once the queue is empty', async () => {
    const limiter = new RateLimiter();
    const controller = new AbortController();
    (await limiter.acquire(INTERACTIONS)).complete(ok());
    const queued = limiter.acquire(messagesRoute(CHANNEL_1), { signal: controller.signal });
    expect(vi.getTimerCount()).toBe(1);
    controller.abort(new Error('stop'));
    await expect(queued).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('RateLimiter options', () => {
  it('refuses spacing under 350 ms unless explicitly allowed, naming the option', () => {
    expect(() => new RateLimiter({ minSpacingMs: 100 })).toThrow(ValidationError);
    expect(() => new RateLimiter({ minSpacingMs: 100 })).toThrow(
      /minSpacingMs: 100 is under Discord's 350 ms floor/,
    );
    expect(new RateLimiter({ minSpacingMs: 100, allowUnsafeSpacing: true }).options.minSpacingMs).toBe(100);
  });

  it('lists every bad option at once', () => {
    try {
      new RateLimiter({ globalLimitPerSecond: 0, invalidRequestThreshold: 20_000, maxBuckets: 1.5 });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).problems).toEqual([
        'globalLimitPerSecond: expected an integer from 1 to 10000, got 0',
        'invalidRequestThreshold: expected an integer from 1 to 9999, got 20000',
        'maxBuckets: expected an integer from 1 to 10000000, got 1.5',
      ]);
    }
  });

  it('documents its defaults in one frozen object', () => {
    expect(Object.isFrozen(DEFAULT_RATE_LIMITER_OPTIONS)).toBe(true);
    expect(DEFAULT_RATE_LIMITER_OPTIONS).toMatchObject({
      minSpacingMs: 350,
      globalLimitPerSecond: 50,
      invalidRequestThreshold: 1_000,
      invalidRequestWindowMs: 600_000,
    });
  });
});

describe('RateLimiter events and stats', () => {
  it('emits request and response with the bucket, and counts totals', async () => {
    const limiter = new RateLimiter();
    const events: string[] = [];
    limiter.on('request', (e) => events.push(`request ${e.route} #${e.sequence} queued ${e.queuedMs}`));
    limiter.on('response', (e) => events.push(`response ${e.status} ${e.bucket} remaining ${e.remaining}`));
    const first = await limiter.acquire(INTERACTIONS);
    first.complete(
      ok({
        'x-ratelimit-bucket': 'abc',
        'x-ratelimit-remaining': '4',
        'x-ratelimit-limit': '5',
        'x-ratelimit-reset-after': '2',
      }),
    );
    const second = limiter.acquire(INTERACTIONS);
    await vi.advanceTimersByTimeAsync(350);
    (await second).complete(ok());
    expect(events).toEqual([
      'request POST /interactions #1 queued 0',
      'response 200 abc: remaining 4',
      'request POST /interactions #2 queued 350',
      'response 200 abc: remaining undefined',
    ]);
    const stats = limiter.stats();
    expect(stats.totals).toMatchObject({ requests: 2, responses: 2, retries: 0 });
    expect(stats.buckets.find((b) => b.key === 'abc:')).toMatchObject({
      limit: 5,
      remaining: 3,
      inFlight: 0,
    });
    expect(stats.global).toMatchObject({ limitPerSecond: 50, usedInWindow: 2, minSpacingMs: 350 });
    expect(stats.queueDepth).toBe(0);
    expect(stats.last429).toBeNull();
  });
});
