import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CloudflareBanError,
  InvalidRequestLimitError,
  TokenInvalidError,
} from '../../../src/discord/rest/errors.js';
import { RateLimiter } from '../../../src/discord/rest/rate-limiter.js';
import type { Permit, RateLimitedEvent } from '../../../src/discord/rest/rate-limiter-types.js';
import { routeFor } from '../../../src/discord/rest/routes.js';
import {
  bucketHeaders,
  CHANNEL_1,
  CHANNEL_2,
  cloudflare429,
  discord429,
  INTERACTIONS,
  messagesRoute,
  ok,
} from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Acquires and reports when the permit was granted, relative to `t0`; completes with 200. */
function timedStart(limiter: RateLimiter, route = INTERACTIONS, t0 = Date.now()) {
  const result = { at: -1 };
  const done = limiter.acquire(route).then((p: Permit) => {
    result.at = Date.now() - t0;
    p.complete(ok());
  });
  return { result, done };
}

describe('429 from Discord', () => {
  it.each([
    [
      'float body retry_after wins over the rounded header',
      { retryAfter: 1.234, headerRetryAfter: 2 },
      1_234,
    ],
    ['header used when the body has no retry_after', { headerRetryAfter: 3 }, 3_000],
    ['Reset-After used when both are missing', { resetAfter: 0.5, remaining: 0 }, 500],
    ['a bare 429 still waits a second rather than hot-looping', {}, 1_000],
    [
      'Remaining 0 without Reset-After waits retry_after, not the missing-reset fallback',
      { retryAfter: 0.6, remaining: 0 },
      600,
    ],
  ])('%s', async (_name, input, expectedMs) => {
    const limiter = new RateLimiter();
    const events: RateLimitedEvent[] = [];
    limiter.on('rateLimited', (e) => events.push(e));
    const t0 = Date.now();
    (await limiter.acquire(INTERACTIONS)).complete(discord429(input));
    expect(events[0]).toMatchObject({
      retryAfterMs: expectedMs,
      scope: 'user',
      global: false,
      sublimit: false,
    });
    const next = timedStart(limiter, INTERACTIONS, t0);
    await vi.advanceTimersByTimeAsync(expectedMs + 400);
    await next.done;
    expect(next.result.at).toBe(Math.max(expectedMs, 350));
    expect(limiter.stats().totals.rateLimited.user).toBe(1);
    expect(limiter.stats().last429).toMatchObject({ route: 'POST /interactions', retryAfterMs: expectedMs });
  });

  it('a global 429 pauses every bucket with one sleeper, and releases all after retry_after', async () => {
    const limiter = new RateLimiter();
    const t0 = Date.now();
    (await limiter.acquire(INTERACTIONS)).complete(
      discord429({ retryAfter: 2.5, global: true, scope: 'global' }),
    );
    const waiting = [
      timedStart(limiter, messagesRoute(CHANNEL_1), t0),
      timedStart(limiter, messagesRoute(CHANNEL_2), t0),
      timedStart(limiter, routeFor('GET', '/users/@me'), t0),
    ];
    await vi.advanceTimersByTimeAsync(1);
    expect(vi.getTimerCount()).toBe(1);
    expect(limiter.stats().global.pausedForMs).toBe(2_499);
    await vi.advanceTimersByTimeAsync(2_498);
    expect(waiting.map((w) => w.result.at)).toEqual([-1, -1, -1]);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(waiting.map((w) => w.done));
    expect(waiting.map((w) => w.result.at)).toEqual([2_500, 2_850, 3_200]);
    expect(limiter.stats().totals.rateLimited.global).toBe(1);
  });

  it('a body with global: true is global even without the header', async () => {
    const limiter = new RateLimiter();
    (await limiter.acquire(INTERACTIONS)).complete(discord429({ retryAfter: 1, global: false }));
    expect(limiter.stats().global.pausedForMs).toBe(0);
    const next = limiter.acquire(messagesRoute(CHANNEL_1));
    await vi.advanceTimersByTimeAsync(350);
    (await next).complete({
      ...discord429({ retryAfter: 4 }),
      body: { message: 'global', retry_after: 4, global: true },
    });
    expect(limiter.stats().global.pausedForMs).toBe(4_000);
    expect(limiter.stats().last429).toMatchObject({ global: true, scope: 'global' });
  });

  it('a shared-scope 429 waits but is not counted as invalid, and other resources are unaffected', async () => {
    const limiter = new RateLimiter();
    const t0 = Date.now();
    (await limiter.acquire(messagesRoute(CHANNEL_1))).complete(
      discord429({ retryAfter: 5, scope: 'shared', bucket: 'b', remaining: 0, resetAfter: 5 }),
    );
    const same = timedStart(limiter, messagesRoute(CHANNEL_1), t0);
    const other = timedStart(limiter, messagesRoute(CHANNEL_2), t0);
    await vi.advanceTimersByTimeAsync(6_000);
    await Promise.all([same.done, other.done]);
    expect(other.result.at).toBe(350);
    expect(same.result.at).toBe(5_000);
    const stats = limiter.stats();
    expect(stats.totals.rateLimited.shared).toBe(1);
    expect(stats.totals.invalidRequestsInWindow).toBe(0);
  });

  it('a sublimit 429 (remaining > 0) parks only that route; the same bucket keeps flowing', async () => {
    const limiter = new RateLimiter();
    const events: RateLimitedEvent[] = [];
    limiter.on('rateLimited', (e) => events.push(e));
    const get = routeFor('GET', `/channels/${CHANNEL_1}/messages`);
    const post = routeFor('POST', `/channels/${CHANNEL_1}/messages`);
    (await limiter.acquire(post)).complete(
      ok(bucketHeaders({ bucket: 'm', limit: 5, remaining: 4, resetAfter: 5 })),
    );
    await vi.advanceTimersByTimeAsync(350);
    const t0 = Date.now();
    (await limiter.acquire(get)).complete(
      discord429({ retryAfter: 3, bucket: 'm', limit: 5, remaining: 3, resetAfter: 5 }),
    );
    expect(events[0]).toMatchObject({ sublimit: true, scope: 'user' });
    const parked = timedStart(limiter, get, t0);
    const sibling = timedStart(limiter, post, t0);
    await vi.advanceTimersByTimeAsync(4_000);
    await Promise.all([parked.done, sibling.done]);
    expect(sibling.result.at).toBe(350);
    expect(parked.result.at).toBe(3_000);
  });
});

describe('Cloudflare 429', () => {
  it('stops at once: queued and new requests fail with CloudflareBanError for the cooldown', async () => {
    const limiter = new RateLimiter();
    const events: RateLimitedEvent[] = [];
    limiter.on('rateLimited', (e) => events.push(e));
    const first = await limiter.acquire(messagesRoute(CHANNEL_1));
    const queued = limiter.acquire(INTERACTIONS);
    first.complete(cloudflare429());
    await expect(queued).rejects.toBeInstanceOf(CloudflareBanError);
    // Retry-After 600 s is honoured as sent (within 1 s .. 1 h).
    expect(events[0]).toMatchObject({ scope: 'cloudflare', retryAfterMs: 600_000 });
    await vi.advanceTimersByTimeAsync(599_000);
    await expect(limiter.acquire(INTERACTIONS)).rejects.toMatchObject({ code: 'CLOUDFLARE_BLOCKED' });
    expect(vi.getTimerCount()).toBe(0); // no hot loop, no timer waiting to retry
    await vi.advanceTimersByTimeAsync(1_000);
    (await limiter.acquire(INTERACTIONS)).complete(ok());
    expect(limiter.stats().totals.rateLimited.cloudflare).toBe(1);
  });

  it('a JSON 429 without Via is Cloudflare too', async () => {
    const limiter = new RateLimiter();
    const permit = await limiter.acquire(INTERACTIONS);
    const verdict = permit.complete({
      status: 429,
      headers: {},
      body: { message: 'x', retry_after: 1, global: false },
    });
    expect(verdict.kind).toBe('cloudflare');
    // No Retry-After: the default pause.
    expect(limiter.stats().blocked.cloudflareForMs).toBe(60_000);
  });
});

describe('401', () => {
  it('marks the token bad: queued and future requests fail fast with TokenInvalidError', async () => {
    const limiter = new RateLimiter();
    const first = await limiter.acquire(routeFor('GET', '/users/@me'));
    const queued = [limiter.acquire(INTERACTIONS), limiter.acquire(messagesRoute(CHANNEL_1))];
    first.complete({ status: 401, headers: {}, body: { message: '401: Unauthorized', code: 0 } });
    for (const q of queued) await expect(q).rejects.toBeInstanceOf(TokenInvalidError);
    await expect(limiter.acquire(INTERACTIONS)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    const stats = limiter.stats();
    expect(stats.blocked.tokenInvalid).toBe(true);
    expect(stats.totals.requests).toBe(1);
    expect(stats.totals.invalidRequestsInWindow).toBe(1);
  });
});

describe('invalid-request guard', () => {
  it('warns at half, trips at the threshold, and recovers when the window slides', async () => {
    const limiter = new RateLimiter({ invalidRequestThreshold: 6, invalidRequestWindowMs: 60_000 });
    const warnings: number[] = [];
    limiter.on('invalidRequestWarning', (e) => warnings.push(e.count));
    const route = (i: number) => messagesRoute(`1000000000000000${String(i).padStart(2, '0')}`);
    for (let i = 0; i < 6; i += 1) {
      const permit = limiter.acquire(route(i));
      await vi.advanceTimersByTimeAsync(1_000);
      // 403 Missing Access counts; a 404 does not.
      (await permit).complete({
        status: i === 0 ? 404 : 403,
        headers: {},
        body: { code: 50001, message: 'Missing Access' },
      });
    }
    expect(warnings).toEqual([3]);
    const queuedBefore = limiter.acquire(route(50));
    await vi.advanceTimersByTimeAsync(1_000);
    (await queuedBefore).complete({
      status: 403,
      headers: {},
      body: { code: 50001, message: 'Missing Access' },
    });
    // Six invalid answers in the window: stop sending.
    const refused = limiter.acquire(route(60));
    await expect(refused).rejects.toBeInstanceOf(InvalidRequestLimitError);
    await expect(limiter.acquire(route(61))).rejects.toMatchObject({ count: 6, threshold: 6 });
    expect(limiter.stats().blocked.invalidRequestsForMs).toBeGreaterThan(0);
    // The first 403 happened at t=2 s; it leaves the window at t=62 s.
    await vi.advanceTimersByTimeAsync(55_000);
    (await limiter.acquire(route(62))).complete(ok());
    expect(limiter.stats().totals.invalidRequestsInWindow).toBe(5);
  });
});
