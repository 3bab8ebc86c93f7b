import { describe, expect, it } from 'vitest';
import {
  CloudflareBanError,
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  DiscordTimeoutError,
  InvalidRequestLimitError,
  RateLimitedError,
  TokenInvalidError,
} from '../../../src/discord/rest/errors.js';
import { backoffDelay, retryReason } from '../../../src/discord/rest/retry-policy.js';

const ctx = { method: 'GET', route: '/users/@me', attempts: 1 };

describe('retryReason', () => {
  it.each([
    [
      '429',
      new RateLimitedError(ctx, { retryAfterMs: 1, global: false, scope: 'user', bucket: undefined }),
      'rate-limit',
    ],
    ...[500, 502, 503, 504].map((s) => [`${s}`, new DiscordHTTPError(ctx, s, ''), 'server-error'] as const),
    ['500 with JSON', new DiscordAPIError(ctx, 500, 0, 'Internal'), 'server-error'],
    ['501 is not retried', new DiscordHTTPError(ctx, 501, ''), undefined],
    ['ambiguous 500', new DiscordHTTPError(ctx, 500, '', true), undefined],
    ['400', new DiscordAPIError(ctx, 400, 50035, 'Invalid Form Body'), undefined],
    [
      'network, nothing sent',
      new DiscordNetworkError(ctx, 'ECONNREFUSED', false, false, undefined, 'refused'),
      'network',
    ],
    [
      'network, ambiguous',
      new DiscordNetworkError(ctx, 'UND_ERR_SOCKET', true, true, undefined, 'closed'),
      undefined,
    ],
    ['timeout on GET', new DiscordTimeoutError(ctx, 100, false), 'timeout'],
    ['timeout on POST', new DiscordTimeoutError(ctx, 100, true), undefined],
    ['401', new TokenInvalidError('x'), undefined],
    ['Cloudflare', new CloudflareBanError('x', 1), undefined],
    ['invalid-request guard', new InvalidRequestLimitError('x', 1, 1, 1), undefined],
    ['anything else', new Error('boom'), undefined],
  ] as [string, Error, string | undefined][])('%s -> %s', (_name, error, reason) => {
    expect(retryReason(error)).toBe(reason);
  });
});

describe('backoffDelay (full jitter)', () => {
  const policy = { baseMs: 1_000, factor: 2, maxMs: 30_000 };

  it('spans [0, min(max, base * factor^n)]', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  it('stays within bounds for any random draw', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 8; n += 1) {
      for (let i = 0; i < 200; i += 1) {
        const delay = backoffDelay(n, policy, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(30_000, 1_000 * 2 ** n));
      }
    }
  });
});
