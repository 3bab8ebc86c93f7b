/**
 * Reading Discord's rate-limit headers. Pure functions over a header map.
 * https://discord.com/developers/docs/topics/rate-limits#header-format
 */

/** Response headers with lower-case names, as undici returns them. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/** `X-RateLimit-Scope`: `user` (this token), `global` (this token, all routes), `shared` (the resource). */
export type RateLimitScope = 'user' | 'global' | 'shared';

/** The first value of header `name` (any case), trimmed; undefined when absent or empty. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  const value = typeof raw === 'string' ? raw : raw?.[0];
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function finiteNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

export interface RateLimitHeaders {
  /** `X-RateLimit-Bucket`: the hash shared by routes in one bucket (major parameter excluded). */
  bucket: string | undefined;
  limit: number | undefined;
  remaining: number | undefined;
  /**
   * Ms until the bucket resets. From `X-RateLimit-Reset-After` (relative, decimals) when present,
   * because clocks disagree between machines; `X-RateLimit-Reset` (epoch seconds) is the fallback.
   */
  resetAfterMs: number | undefined;
  /** `X-RateLimit-Global: true` (only on 429s). */
  global: boolean;
  /** `X-RateLimit-Scope` (only on 429s). */
  scope: RateLimitScope | undefined;
  /**
   * `Retry-After` in ms: whole seconds (Discord), so less precise than the body's `retry_after`,
   * or an HTTP date (RFC 9110 §10.2.3; Cloudflare may send either), counted from `nowMs`.
   */
  retryAfterMs: number | undefined;
  /** Discord's API answers carry `Via`; Cloudflare's own refusals do not. */
  via: boolean;
}

/** Parses the rate-limit headers. `nowMs` (epoch ms) is used only for the `X-RateLimit-Reset` fallback. */
export function parseRateLimitHeaders(headers: HeaderMap, nowMs: number): RateLimitHeaders {
  const resetAfter = finiteNumber(headerValue(headers, 'x-ratelimit-reset-after'));
  const resetAt = finiteNumber(headerValue(headers, 'x-ratelimit-reset'));
  const scope = headerValue(headers, 'x-ratelimit-scope')?.toLowerCase();
  const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'), nowMs);
  return {
    bucket: headerValue(headers, 'x-ratelimit-bucket'),
    limit: finiteNumber(headerValue(headers, 'x-ratelimit-limit')),
    remaining: finiteNumber(headerValue(headers, 'x-ratelimit-remaining')),
    resetAfterMs:
      resetAfter !== undefined
        ? resetAfter * 1000
        : resetAt !== undefined
          ? Math.max(0, resetAt * 1000 - nowMs)
          : undefined,
    global: headerValue(headers, 'x-ratelimit-global')?.toLowerCase() === 'true',
    scope: scope === 'user' || scope === 'global' || scope === 'shared' ? scope : undefined,
    retryAfterMs,
    via: headerValue(headers, 'via') !== undefined,
  };
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `nowMs`; undefined when unusable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = finiteNumber(value);
  if (seconds !== undefined) return seconds * 1000;
  // Only a date-looking value: Date.parse accepts bare numbers and odd strings too.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}
