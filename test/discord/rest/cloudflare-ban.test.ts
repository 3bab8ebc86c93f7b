/** Cloudflare 429s: Retry-After honoured within bounds, a default when absent, escalation on repeats. */
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { type CloudflareBanSnapshot, cloudflarePauseMs } from '../../../src/discord/rest/cloudflare-ban.js';
import { CloudflareBanError } from '../../../src/discord/rest/errors.js';
import { parseRetryAfter } from '../../../src/discord/rest/headers.js';
import { RateLimiter } from '../../../src/discord/rest/rate-limiter.js';
import { DEFAULT_RATE_LIMITER_OPTIONS } from '../../../src/discord/rest/rate-limiter-options.js';
import type { RateLimiterStats } from '../../../src/discord/rest/rate-limiter-types.js';
import type { ResponseInfo } from '../../../src/discord/rest/response-verdict.js';
import { INTERACTIONS, ok } from './helpers.js';

const T0 = 1_700_000_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Cloudflare's HTML 429, with the given Retry-After header (or none). */
function cloudflare(retryAfter?: string): ResponseInfo {
  const headers: Record<string, string> = { 'content-type': 'text/html', server: 'cloudflare' };
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  return { status: 429, headers, body: '<html><body>error 1015</body></html>' };
}

/** Sends one request and answers it with a Cloudflare 429; returns the pause now in force. */
async function ban(limiter: RateLimiter, retryAfter?: string): Promise<number> {
  const permit = await limiter.acquire(INTERACTIONS);
  permit.complete(cloudflare(retryAfter));
  return limiter.stats().blocked.cloudflareForMs;
}

describe('Retry-After parsing', () => {
  it.each([
    ['120', 120_000],
    ['0.5', 500],
    [new Date(T0 + 90_000).toUTCString(), 90_000],
    [new Date(T0 - 5_000).toUTCString(), 0],
    ['soon', undefined],
    ['-3', undefined],
    [undefined, undefined],
  ])('%s -> %s ms', (value, ms) => {
    expect(parseRetryAfter(value, T0)).toBe(ms);
  });
});

describe('cloudflarePauseMs', () => {
  const o = DEFAULT_RATE_LIMITER_OPTIONS;
  it.each([
    ['Retry-After as sent', 120_000, 1, 120_000],
    ['no Retry-After: the default', undefined, 1, 60_000],
    ['0 is raised to the 1 s floor', 0, 1, 1_000],
    ['a day is cut to the 1 h ceiling', 86_400_000, 1, 3_600_000],
    ['a repeat doubles', 120_000, 2, 240_000],
    ['a third doubles again', 120_000, 3, 480_000],
    ['escalation stops at the ceiling', 120_000, 40, 3_600_000],
  ])('%s', (_label, retryAfterMs, consecutive, pause) => {
    expect(cloudflarePauseMs(retryAfterMs, consecutive, o)).toBe(pause);
  });
});

describe('RateLimiter and Cloudflare 429s', () => {
  it("honours the 429's Retry-After, not a fixed hour, and sends again once it passed", async () => {
    const limiter = new RateLimiter();
    expect(await ban(limiter, '30')).toBe(30_000);
    await expect(limiter.acquire(INTERACTIONS)).rejects.toBeInstanceOf(CloudflareBanError);
    expect(vi.getTimerCount()).toBe(0); // nothing polls while banned
    await vi.advanceTimersByTimeAsync(30_000);
    (await limiter.acquire(INTERACTIONS)).complete(ok());
  });

  it('an HTTP-date Retry-After works; no Retry-After waits the default', async () => {
    const limiter = new RateLimiter();
    expect(await ban(limiter, new Date(T0 + 45_000).toUTCString())).toBe(45_000);
    await vi.advanceTimersByTimeAsync(45_000 + 600_001); // past the escalation window
    expect(await ban(limiter)).toBe(60_000);
  });

  it('repeats within the window double the pause up to the ceiling; a quiet window resets it', async () => {
    const limiter = new RateLimiter({ cloudflareCooldownMs: 100_000 });
    const pauses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      pauses.push(await ban(limiter, '20'));
      await vi.advanceTimersByTimeAsync(pauses[i]! + 1_000); // the ban lifts, another comes soon after
    }
    expect(pauses).toEqual([20_000, 40_000, 80_000, 100_000]);
    expect(limiter.stats().blocked.cloudflare).toMatchObject({ consecutive: 4, lastRetryAfterMs: 20_000 });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(limiter.stats().blocked.cloudflare.consecutive).toBe(0);
    expect(await ban(limiter, '20')).toBe(20_000);
    expect(limiter.stats().totals.rateLimited.cloudflare).toBe(5);
  });

  it('429s of requests already in flight when the ban began are the same ban, not repeats', async () => {
    const limiter = new RateLimiter({ minSpacingMs: 0, allowUnsafeSpacing: true });
    const a = await limiter.acquire(INTERACTIONS);
    const b = await limiter.acquire({ ...INTERACTIONS, key: 'GET /users/@me', path: '/users/@me' });
    a.complete(cloudflare('10'));
    await vi.advanceTimersByTimeAsync(2_000);
    b.complete(cloudflare('10'));
    const state = limiter.stats().blocked;
    expect(state.cloudflare).toMatchObject({ consecutive: 1, bannedUntil: T0 + 12_000, lastPauseMs: 10_000 });
    expect(state.cloudflareForMs).toBe(10_000);
  });

  it('shows the ban in stats: until when, how many in a row, the last Retry-After and pause', async () => {
    const limiter = new RateLimiter();
    expect(limiter.stats().blocked.cloudflare).toEqual({
      bannedUntil: null,
      consecutive: 0,
      lastRetryAfterMs: null,
      lastPauseMs: null,
    });
    await ban(limiter, '7200');
    expect(limiter.stats().blocked).toMatchObject({
      cloudflareForMs: 3_600_000,
      cloudflare: {
        bannedUntil: T0 + 3_600_000,
        consecutive: 1,
        lastRetryAfterMs: 7_200_000,
        lastPauseMs: 3_600_000,
      },
    });
  });

  it('a ceiling under the floor wins (a short cooldown configured before the floor existed still works)', async () => {
    const limiter = new RateLimiter({ cloudflareCooldownMs: 500 });
    expect(await ban(limiter, '30')).toBe(500);
    expect(() => new RateLimiter({ cloudflareEscalationWindowMs: -1 })).toThrow(
      /cloudflareEscalationWindowMs/,
    );
  });

  it('types the snapshot in RateLimiterStats', () => {
    expectTypeOf<RateLimiterStats['blocked']['cloudflare']>().toEqualTypeOf<CloudflareBanSnapshot>();
  });
});
