/**
 * Discord's rate limits, server side: a global limit per user, per-route buckets per user and
 * major parameter (fixed windows that start at the first request), and per-resource shared
 * limits. Answers with the headers Discord sends, and on a 429 with its body.
 * https://discord.com/developers/docs/topics/rate-limits
 */
import { createHash } from 'node:crypto';
import type { APIRateLimitBody } from '../../discord/types.js';
import type { RateLimitOptions, RouteLimit } from './options.js';

export type RateLimitScope = 'user' | 'global' | 'shared';

export interface RateLimitDecision {
  /** Headers for the response: the bucket's state, and on a 429 `Retry-After` and the scope. */
  headers: Record<string, string>;
  /** Present when the request must be answered with a 429 instead of being processed. */
  limited?: { scope: RateLimitScope; retryAfterMs: number; body: APIRateLimitBody };
}

interface Window {
  count: number;
  /** Real ms when the window resets. */
  resetAt: number;
}

/** Bucket hashes look like Discord's (32 hex) and are stable per bucket name across runs. */
export function bucketHash(name: string): string {
  return createHash('md5').update(`midjourney-worker-simulator:${name}`).digest('hex');
}

const SWEEP_AT = 5_000;

export class SimRateLimiter {
  private readonly buckets = new Map<string, Window>();
  private readonly shared = new Map<string, Window>();
  private readonly globals = new Map<string, Window>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly timeScale: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Changes (or with `null` removes) a route's bucket at runtime: a hash changing mid-stream. */
  setRoute(route: string, limit: RouteLimit | null): void {
    if (limit === null) delete this.options.routes[route];
    else this.options.routes[route] = limit;
  }

  /** Forgets every counter. */
  reset(): void {
    this.buckets.clear();
    this.shared.clear();
    this.globals.clear();
  }

  /** Decides one request and, when it may proceed, counts it. */
  check(route: string, major: string | undefined, userId: string): RateLimitDecision {
    if (!this.options.enabled) return { headers: {} };
    const now = this.now();
    const global = this.window(this.globals, userId, this.options.global.windowMs, now);
    if (global.count >= this.options.global.limit) {
      const retryAfterMs = global.resetAt - now;
      return {
        headers: { ...retryHeaders(retryAfterMs, 'global'), 'X-RateLimit-Global': 'true' },
        limited: { scope: 'global', retryAfterMs, body: rateLimitBody(retryAfterMs, true) },
      };
    }

    const routeLimit = this.options.routes[route];
    const hash = routeLimit && bucketHash(routeLimit.bucket ?? route);
    const bucket =
      routeLimit && this.window(this.buckets, `${userId}:${hash}:${major ?? ''}`, routeLimit.windowMs, now);

    const sharedLimit = this.options.shared[route];
    const shared =
      sharedLimit && this.window(this.shared, `${route}:${major ?? ''}`, sharedLimit.windowMs, now);
    if (sharedLimit && shared && shared.count >= sharedLimit.limit) {
      const retryAfterMs = shared.resetAt - now;
      const body = rateLimitBody(retryAfterMs, false);
      if (sharedLimit.code !== undefined) body.code = sharedLimit.code;
      return {
        headers: {
          ...(routeLimit && bucket && hash ? bucketHeaders(routeLimit, bucket, hash, now) : {}),
          ...retryHeaders(retryAfterMs, 'shared'),
        },
        limited: { scope: 'shared', retryAfterMs, body },
      };
    }

    if (routeLimit && bucket && hash && bucket.count >= routeLimit.limit) {
      const retryAfterMs = bucket.resetAt - now;
      return {
        headers: { ...bucketHeaders(routeLimit, bucket, hash, now), ...retryHeaders(retryAfterMs, 'user') },
        limited: { scope: 'user', retryAfterMs, body: rateLimitBody(retryAfterMs, false) },
      };
    }

    global.count += 1;
    if (shared) shared.count += 1;
    if (!routeLimit || !bucket || !hash) return { headers: {} };
    bucket.count += 1;
    return { headers: bucketHeaders(routeLimit, bucket, hash, now) };
  }

  private window(map: Map<string, Window>, key: string, windowMs: number, now: number): Window {
    let window = map.get(key);
    if (window === undefined || now >= window.resetAt) {
      if (map.size >= SWEEP_AT) sweep(map, now);
      window = { count: 0, resetAt: now + windowMs / this.timeScale };
      map.set(key, window);
    }
    return window;
  }
}

function sweep(map: Map<string, Window>, now: number): void {
  for (const [key, window] of map) if (now >= window.resetAt) map.delete(key);
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function bucketHeaders(limit: RouteLimit, window: Window, hash: string, now: number): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(limit.limit),
    'X-RateLimit-Remaining': String(Math.max(0, limit.limit - window.count)),
    'X-RateLimit-Reset': seconds(window.resetAt),
    'X-RateLimit-Reset-After': seconds(window.resetAt - now),
    'X-RateLimit-Bucket': hash,
  };
}

function retryHeaders(retryAfterMs: number, scope: RateLimitScope): Record<string, string> {
  // The header is whole seconds rounded up; the body keeps the decimals (header 65, body 64.57).
  return {
    'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    'X-RateLimit-Scope': scope,
  };
}

function rateLimitBody(retryAfterMs: number, global: boolean): APIRateLimitBody {
  return {
    message: 'You are being rate limited.',
    retry_after: Number((Math.max(0, retryAfterMs) / 1000).toFixed(3)),
    global,
  };
}
