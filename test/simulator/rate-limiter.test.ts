import { describe, expect, it } from 'vitest';
import { InvalidRequestCounter } from '../../src/simulator/rate-limit/invalid-request-counter.js';
import { resolveRateLimits } from '../../src/simulator/rate-limit/options.js';
import { bucketHash, SimRateLimiter } from '../../src/simulator/rate-limit/sim-rate-limiter.js';

const MESSAGES = 'GET /channels/{channel_id}/messages';
const USER = '1100000000000000300';

function limiter(init: Parameters<typeof resolveRateLimits>[0] = {}, timeScale = 1) {
  let now = 1_700_000_000_000;
  const rl = new SimRateLimiter(resolveRateLimits(init), timeScale, () => now);
  return { rl, advance: (ms: number) => (now += ms), now: () => now };
}

describe('SimRateLimiter', () => {
  it('sends Discord bucket headers counting down, then a user-scope 429 with float retry_after', () => {
    const { rl, advance } = limiter({ routes: { [MESSAGES]: { limit: 2, windowMs: 2_500 } } });
    const first = rl.check(MESSAGES, 'c1', USER);
    expect(first.limited).toBeUndefined();
    expect(first.headers).toEqual({
      'X-RateLimit-Limit': '2',
      'X-RateLimit-Remaining': '1',
      'X-RateLimit-Reset': '1700000002.500',
      'X-RateLimit-Reset-After': '2.500',
      'X-RateLimit-Bucket': bucketHash(MESSAGES),
    });
    advance(1_000);
    expect(rl.check(MESSAGES, 'c1', USER).headers['X-RateLimit-Remaining']).toBe('0');
    advance(200);
    const limited = rl.check(MESSAGES, 'c1', USER);
    expect(limited.limited).toEqual({
      scope: 'user',
      retryAfterMs: 1_300,
      body: { message: 'You are being rate limited.', retry_after: 1.3, global: false },
    });
    // The header is whole seconds rounded up; the body keeps the decimals.
    expect(limited.headers['Retry-After']).toBe('2');
    expect(limited.headers['X-RateLimit-Scope']).toBe('user');
    expect(limited.headers['X-RateLimit-Global']).toBeUndefined();
    advance(1_300);
    expect(rl.check(MESSAGES, 'c1', USER).headers['X-RateLimit-Remaining']).toBe('1');
  });

  it('keeps one queue per major parameter and per user under the same hash', () => {
    const { rl } = limiter({ routes: { [MESSAGES]: { limit: 1, windowMs: 5_000 } } });
    expect(rl.check(MESSAGES, 'c1', USER).limited).toBeUndefined();
    expect(rl.check(MESSAGES, 'c1', USER).limited?.scope).toBe('user');
    const other = rl.check(MESSAGES, 'c2', USER);
    expect(other.limited).toBeUndefined();
    expect(other.headers['X-RateLimit-Bucket']).toBe(bucketHash(MESSAGES));
    expect(rl.check(MESSAGES, 'c1', '1100000000000000301').limited).toBeUndefined();
  });

  it('shares one hash and counter between routes with the same bucket name', () => {
    const { rl } = limiter();
    const guild = rl.check('GET /guilds/{guild_id}/application-command-index', 'x', USER);
    const channel = rl.check('GET /channels/{channel_id}/application-command-index', 'x', USER);
    expect(guild.headers['X-RateLimit-Bucket']).toBe(channel.headers['X-RateLimit-Bucket']);
    expect(channel.headers['X-RateLimit-Remaining']).toBe('3');
  });

  it('answers the global limit with a global 429 for every route, without bucket headers', () => {
    const { rl, advance } = limiter({ global: { limit: 3, windowMs: 1_000 } });
    for (let i = 0; i < 3; i++) expect(rl.check('GET /users/@me', undefined, USER).limited).toBeUndefined();
    advance(250);
    const limited = rl.check('POST /interactions', undefined, USER);
    expect(limited.limited?.scope).toBe('global');
    expect(limited.limited?.body).toEqual({
      message: 'You are being rate limited.',
      retry_after: 0.75,
      global: true,
    });
    expect(limited.headers).toEqual({
      'Retry-After': '1',
      'X-RateLimit-Scope': 'global',
      'X-RateLimit-Global': 'true',
    });
    advance(750);
    expect(rl.check('POST /interactions', undefined, USER).limited).toBeUndefined();
  });

  it('answers a shared resource limit with scope shared while the user bucket still has room', () => {
    const { rl } = limiter({
      routes: { [MESSAGES]: { limit: 10, windowMs: 5_000 } },
      shared: { [MESSAGES]: { limit: 2, windowMs: 4_000, code: 20028 } },
    });
    rl.check(MESSAGES, 'c1', USER);
    rl.check(MESSAGES, 'c1', '1100000000000000301');
    const limited = rl.check(MESSAGES, 'c1', USER);
    expect(limited.limited?.scope).toBe('shared');
    expect(limited.limited?.body.code).toBe(20028);
    expect(limited.headers['X-RateLimit-Scope']).toBe('shared');
    expect(limited.headers['X-RateLimit-Remaining']).toBe('9');
  });

  it('divides windows by the time scale and reports real seconds', () => {
    const { rl } = limiter({ routes: { [MESSAGES]: { limit: 1, windowMs: 5_000 } } }, 100);
    expect(rl.check(MESSAGES, 'c1', USER).headers['X-RateLimit-Reset-After']).toBe('0.050');
  });

  it('changes a route bucket at runtime and sends no headers for a route without one', () => {
    const { rl } = limiter();
    rl.setRoute('GET /users/@me', { limit: 9, windowMs: 1_000, bucket: 'renamed' });
    expect(rl.check('GET /users/@me', undefined, USER).headers['X-RateLimit-Bucket']).toBe(
      bucketHash('renamed'),
    );
    rl.setRoute('GET /users/@me', null);
    expect(rl.check('GET /users/@me', undefined, USER).headers).toEqual({});
  });

  it('sends nothing and limits nothing when disabled', () => {
    const { rl } = limiter({ enabled: false, global: { limit: 1 } });
    for (let i = 0; i < 5; i++) expect(rl.check(MESSAGES, 'c1', USER)).toEqual({ headers: {} });
  });
});

describe('InvalidRequestCounter', () => {
  it('counts in a sliding window and bans at the limit', () => {
    let now = 0;
    const counter = new InvalidRequestCounter({ limit: 3, windowMs: 1_000, banMs: 5_000 }, () => now);
    counter.record();
    now = 600;
    counter.record();
    expect(counter.count()).toBe(2);
    now = 1_001;
    expect(counter.count()).toBe(1);
    counter.record();
    expect(counter.banRemainingMs()).toBe(0);
    counter.record();
    expect(counter.banRemainingMs()).toBe(5_000);
    expect(counter.total).toBe(4);
    now += 5_000;
    expect(counter.banRemainingMs()).toBe(0);
  });
});
