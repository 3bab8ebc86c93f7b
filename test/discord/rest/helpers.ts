/** Shared fixtures for the REST tests: Discord-shaped responses and a driver for the limiter. */
import type { HeaderMap } from '../../../src/discord/rest/headers.js';
import type { RateLimiter } from '../../../src/discord/rest/rate-limiter.js';
import type { Permit } from '../../../src/discord/rest/rate-limiter-types.js';
import type { ResponseInfo } from '../../../src/discord/rest/response-verdict.js';
import { type Route, routeFor } from '../../../src/discord/rest/routes.js';

export const CHANNEL_1 = '100000000000000001';
export const CHANNEL_2 = '100000000000000002';
export const GUILD_1 = '200000000000000001';

export const messagesRoute = (channel: string): Route => routeFor('GET', `/channels/${channel}/messages`);
export const INTERACTIONS = routeFor('POST', '/interactions');

export interface BucketHeaderInput {
  bucket?: string;
  limit?: number;
  remaining?: number;
  /** Seconds, may have decimals. */
  resetAfter?: number;
}

/** The headers Discord sends on every answer of a limited route, plus `via` like the real API. */
export function bucketHeaders(input: BucketHeaderInput = {}): Record<string, string> {
  const headers: Record<string, string> = { via: '1.1 google', 'content-type': 'application/json' };
  if (input.bucket !== undefined) headers['x-ratelimit-bucket'] = input.bucket;
  if (input.limit !== undefined) headers['x-ratelimit-limit'] = String(input.limit);
  if (input.remaining !== undefined) headers['x-ratelimit-remaining'] = String(input.remaining);
  if (input.resetAfter !== undefined) headers['x-ratelimit-reset-after'] = String(input.resetAfter);
  return headers;
}

export function ok(headers: HeaderMap = {}): ResponseInfo {
  return { status: 200, headers, body: [] };
}

export interface Discord429Input extends BucketHeaderInput {
  /** Body `retry_after`, float seconds; omit to leave it out. */
  retryAfter?: number;
  /** `Retry-After` header, whole seconds. */
  headerRetryAfter?: number;
  global?: boolean;
  scope?: 'user' | 'global' | 'shared';
}

export function discord429(input: Discord429Input): ResponseInfo {
  const headers = bucketHeaders(input);
  if (input.headerRetryAfter !== undefined) headers['retry-after'] = String(input.headerRetryAfter);
  if (input.scope !== undefined) headers['x-ratelimit-scope'] = input.scope;
  if (input.global) headers['x-ratelimit-global'] = 'true';
  const body: Record<string, unknown> = {
    message: 'You are being rate limited.',
    global: input.global ?? false,
  };
  if (input.retryAfter !== undefined) body.retry_after = input.retryAfter;
  return { status: 429, headers, body };
}

/** Cloudflare's own 429: an HTML page, no `via`. */
export function cloudflare429(): ResponseInfo {
  return {
    status: 429,
    headers: { 'content-type': 'text/html', 'retry-after': '600', server: 'cloudflare' },
    body: '<html><body>error 1015</body></html>',
  };
}

export interface Started {
  label: string;
  at: number;
  permit: Permit;
}

/**
 * Acquires for `route`, records the start time and hands the permit to `respond` (which completes
 * it or not). Returns the start record; rejects like acquire.
 */
export async function start(
  limiter: RateLimiter,
  route: Route,
  label: string,
  log: Started[],
  respond?: (permit: Permit) => void,
  signal?: AbortSignal,
): Promise<Started> {
  const permit = await limiter.acquire(route, { signal });
  const entry = { label, at: Date.now(), permit };
  log.push(entry);
  respond?.(permit);
  return entry;
}

/** Differences between consecutive start times. */
export function gaps(log: readonly Started[]): number[] {
  return log.slice(1).map((entry, i) => entry.at - log[i]!.at);
}
