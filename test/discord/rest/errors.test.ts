import { describe, expect, expectTypeOf, it } from 'vitest';
import type { DiscordApi } from '../../../src/discord/rest/api.js';
import {
  CloudflareBanError,
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  DiscordTimeoutError,
  InvalidRequestLimitError,
  isAmbiguousSubmission,
  isCloudflareBanError,
  isDiscordAPIError,
  isDiscordHTTPError,
  isDiscordNetworkError,
  isDiscordTimeoutError,
  isInvalidRequestLimitError,
  isRateLimitedError,
  isTokenInvalidError,
  RateLimitedError,
  TokenInvalidError,
} from '../../../src/discord/rest/errors.js';
import * as rest from '../../../src/discord/rest/index.js';
import { flattenErrorTree, networkError } from '../../../src/discord/rest/response-errors.js';
import { isWorkerError } from '../../../src/errors.js';

const ctx = { method: 'POST', route: '/interactions', attempts: 2 };

describe('REST errors', () => {
  const all = [
    [
      new DiscordAPIError(ctx, 404, 10008, 'Unknown Message'),
      'DiscordAPIError',
      'DISCORD_API_ERROR',
      isDiscordAPIError,
    ],
    [new DiscordHTTPError(ctx, 503, 'x'), 'DiscordHTTPError', 'DISCORD_HTTP_ERROR', isDiscordHTTPError],
    [
      new DiscordNetworkError(ctx, 'ECONNRESET', true, true, undefined, 'reset'),
      'DiscordNetworkError',
      'DISCORD_NETWORK_ERROR',
      isDiscordNetworkError,
    ],
    [
      new DiscordTimeoutError(ctx, 15_000, true),
      'DiscordTimeoutError',
      'DISCORD_TIMEOUT',
      isDiscordTimeoutError,
    ],
    [
      new RateLimitedError(ctx, { retryAfterMs: 1_500, global: true, scope: 'global', bucket: 'b' }),
      'RateLimitedError',
      'RATE_LIMITED',
      isRateLimitedError,
    ],
    [new TokenInvalidError('GET /users/@me'), 'TokenInvalidError', 'TOKEN_INVALID', isTokenInvalidError],
    [
      new CloudflareBanError('GET /users/@me', 3_600_000),
      'CloudflareBanError',
      'CLOUDFLARE_BLOCKED',
      isCloudflareBanError,
    ],
    [
      new InvalidRequestLimitError('GET /users/@me', 1_000, 1_000, 30_000),
      'InvalidRequestLimitError',
      'INVALID_REQUEST_LIMIT',
      isInvalidRequestLimitError,
    ],
  ] as const;

  it.each(all)('%s has a literal name, a stable code and its guard', (error, name, code, guard) => {
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(isWorkerError(error)).toBe(true);
    expect(guard(error)).toBe(true);
    expect(guard(new Error('x'))).toBe(false);
    expect(error.toJSON()).toMatchObject({ name, code });
  });

  it('puts the discriminating facts in the message', () => {
    expect(all[0][0].message).toBe('[10008] POST /interactions: Unknown Message');
    expect(all[2][0].message).toBe('POST /interactions failed: reset (may have been sent)');
    expect(all[4][0].message).toBe(
      '429 on POST /interactions: retry after 1500 ms (scope global, global) after 2 attempt(s)',
    );
    expect(all[4][0].toJSON()).toMatchObject({
      retryAfterMs: 1_500,
      global: true,
      scope: 'global',
      bucket: 'b',
      attempts: 2,
    });
  });

  it('only a non-ambiguous 500/502/503/504 is retryable', () => {
    expect(new DiscordAPIError(ctx, 503, 0, 'x').retryable).toBe(true);
    expect(new DiscordAPIError(ctx, 503, 0, 'x', [], true).retryable).toBe(false);
    expect(new DiscordAPIError(ctx, 400, 50035, 'x').retryable).toBe(false);
    expect(new DiscordHTTPError(ctx, 502, '').retryable).toBe(true);
    expect(new DiscordHTTPError(ctx, 501, '').retryable).toBe(false);
  });

  it('isAmbiguousSubmission is true only for errors that may have reached Discord unretried', () => {
    expect(isAmbiguousSubmission(new DiscordTimeoutError(ctx, 1, true))).toBe(true);
    expect(isAmbiguousSubmission(new DiscordTimeoutError(ctx, 1, false))).toBe(false);
    expect(isAmbiguousSubmission(new DiscordAPIError(ctx, 500, 0, 'x', [], true))).toBe(true);
    expect(
      isAmbiguousSubmission(
        new RateLimitedError(ctx, { retryAfterMs: 1, global: false, scope: 'user', bucket: undefined }),
      ),
    ).toBe(false);
    expect(isAmbiguousSubmission(new Error('x'))).toBe(false);
  });

  it('networkError tells connect failures (nothing sent) from the rest', () => {
    const refused = networkError(
      ctx,
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      false,
      [],
    );
    expect(refused).toMatchObject({ sent: false, ambiguous: false, errorCode: 'ECONNREFUSED' });
    const wrapped = networkError(
      ctx,
      new Error('fetch failed', { cause: { code: 'UND_ERR_CONNECT_TIMEOUT' } }),
      false,
      [],
    );
    expect(wrapped).toMatchObject({ sent: false, errorCode: 'UND_ERR_CONNECT_TIMEOUT' });
    const reset = networkError(
      ctx,
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      false,
      [],
    );
    expect(reset).toMatchObject({ sent: true, ambiguous: true });
    expect(networkError({ ...ctx, method: 'GET' }, reset, true, [])).toMatchObject({ ambiguous: false });
  });
});

describe('flattenErrorTree', () => {
  it('turns the nested tree into field lines, array indexes in brackets', () => {
    expect(
      flattenErrorTree({
        _errors: [{ code: 'TOP', message: 'top level' }],
        data: {
          options: {
            '1': {
              value: {
                _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 6000 or fewer in length.' }],
              },
            },
          },
        },
        content: { code: 'LEGACY', message: 'legacy leaf' },
      }),
    ).toEqual([
      { field: '(body)', code: 'TOP', message: 'top level' },
      {
        field: 'data.options[1].value',
        code: 'BASE_TYPE_MAX_LENGTH',
        message: 'Must be 6000 or fewer in length.',
      },
      { field: 'content', code: 'LEGACY', message: 'legacy leaf' },
    ]);
    expect(flattenErrorTree(undefined)).toEqual([]);
    expect(flattenErrorTree('nonsense')).toEqual([]);
  });
});

describe('public API of src/discord/rest', () => {
  it('exports the client, the limiter, the errors and their guards', () => {
    for (const name of [
      'RestClient',
      'RateLimiter',
      'DEFAULT_RATE_LIMITER_OPTIONS',
      'DEFAULT_REST_CLIENT_OPTIONS',
      'routeFor',
      'classifyResponse',
      'DiscordAPIError',
      'RateLimitedError',
      'isAmbiguousSubmission',
      'isTokenInvalidError',
    ]) {
      expect(rest).toHaveProperty(name);
    }
  });

  it('RestClient implements DiscordApi and exposes its limiter', () => {
    expectTypeOf<rest.RestClient>().toMatchTypeOf<DiscordApi>();
    expectTypeOf<rest.RestClient['limiter']>().toEqualTypeOf<rest.RateLimiter>();
    expectTypeOf<ReturnType<rest.RateLimiter['stats']>>().toEqualTypeOf<rest.RateLimiterStats>();
    expectTypeOf<rest.RateLimiter['acquire']>().returns.resolves.toEqualTypeOf<rest.Permit>();
    expectTypeOf<rest.RateLimiterEvents['retry']>().toEqualTypeOf<[event: rest.RetryEvent]>();
  });
});
