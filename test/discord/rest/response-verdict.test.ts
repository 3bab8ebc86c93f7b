import { describe, expect, it } from 'vitest';
import { headerValue, parseRateLimitHeaders } from '../../../src/discord/rest/headers.js';
import {
  classifyResponse,
  countsAsInvalid,
  type ResponseInfo,
} from '../../../src/discord/rest/response-verdict.js';
import { bucketHeaders, cloudflare429, discord429, ok } from './helpers.js';

const NOW = 1_700_000_000_000;

describe('parseRateLimitHeaders', () => {
  it('reads every header, Reset-After (decimals) first', () => {
    expect(
      parseRateLimitHeaders(
        {
          ...bucketHeaders({ bucket: 'abc', limit: 5, remaining: 2, resetAfter: 1.5 }),
          'x-ratelimit-reset': String(NOW / 1000 + 9),
          'x-ratelimit-global': 'true',
          'x-ratelimit-scope': 'shared',
          'retry-after': '65',
        },
        NOW,
      ),
    ).toEqual({
      bucket: 'abc',
      limit: 5,
      remaining: 2,
      resetAfterMs: 1_500,
      global: true,
      scope: 'shared',
      retryAfterMs: 65_000,
      via: true,
    });
  });

  it('falls back to X-RateLimit-Reset against the clock, and ignores junk', () => {
    const parsed = parseRateLimitHeaders(
      {
        'x-ratelimit-reset': String(NOW / 1000 + 2.25),
        'x-ratelimit-limit': 'lots',
        'x-ratelimit-scope': 'planet',
      },
      NOW,
    );
    expect(parsed).toMatchObject({
      resetAfterMs: 2_250,
      limit: undefined,
      scope: undefined,
      via: false,
      global: false,
    });
  });

  it('takes the first value of a repeated header', () => {
    expect(headerValue({ 'x-ratelimit-bucket': ['a', 'b'] }, 'X-RateLimit-Bucket')).toBe('a');
    expect(headerValue({ 'x-ratelimit-bucket': '  ' }, 'x-ratelimit-bucket')).toBeUndefined();
  });
});

describe('classifyResponse', () => {
  it.each<[string, ResponseInfo, Record<string, unknown>]>([
    ['200', ok(), { kind: 'ok' }],
    [
      '401',
      { status: 401, headers: {}, body: { code: 0, message: '401: Unauthorized' } },
      { kind: 'token-invalid' },
    ],
    ['403 is not a rate limit', { status: 403, headers: {}, body: {} }, { kind: 'ok' }],
    [
      'user 429, body over header (header 65, body 64.57)',
      discord429({ retryAfter: 64.57, headerRetryAfter: 65, scope: 'user', remaining: 0 }),
      { kind: 'rate-limited', scope: 'user', global: false, sublimit: false, retryAfterMs: 64_570 },
    ],
    ['header only', discord429({ headerRetryAfter: 3 }), { kind: 'rate-limited', retryAfterMs: 3_000 }],
    [
      'global by body',
      { ...discord429({ retryAfter: 1 }), body: { message: 'g', retry_after: 1, global: true } },
      { kind: 'rate-limited', global: true, scope: 'global' },
    ],
    [
      'global by header',
      discord429({ retryAfter: 1, global: true }),
      { kind: 'rate-limited', global: true, scope: 'global' },
    ],
    [
      'shared scope',
      discord429({ retryAfter: 2, scope: 'shared', remaining: 3 }),
      { kind: 'rate-limited', scope: 'shared', sublimit: false },
    ],
    [
      'sublimit: remaining > 0',
      discord429({ retryAfter: 2, remaining: 3 }),
      { kind: 'rate-limited', scope: 'user', sublimit: true },
    ],
    ['Cloudflare HTML', cloudflare429(), { kind: 'cloudflare', retryAfterMs: 600_000 }],
    [
      'JSON without Via',
      { status: 429, headers: {}, body: { retry_after: 1, global: false, message: 'x' } },
      { kind: 'cloudflare' },
    ],
  ])('%s', (_name, response, expected) => {
    expect(classifyResponse(response, NOW)).toMatchObject(expected);
  });

  it('counts 401, 403 and 429 as invalid, except a shared-scope 429', () => {
    const count = (r: ResponseInfo) => countsAsInvalid(r.status, classifyResponse(r, NOW));
    expect(count({ status: 401, headers: {} })).toBe(true);
    expect(count({ status: 403, headers: {} })).toBe(true);
    expect(count(discord429({ retryAfter: 1 }))).toBe(true);
    expect(count(cloudflare429())).toBe(true);
    expect(count(discord429({ retryAfter: 1, scope: 'shared' }))).toBe(false);
    expect(count({ status: 404, headers: {} })).toBe(false);
    expect(count(ok())).toBe(false);
  });
});
