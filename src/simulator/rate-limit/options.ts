/**
 * Rate-limit configuration of the simulated Discord. Windows are simulated ms (divided by the time
 * scale); the headers report the resulting real seconds, so a client that reads them stays right.
 * https://discord.com/developers/docs/topics/rate-limits
 */
import { SimulatorOptionsError } from '../errors.js';

/** A per-route bucket: `limit` requests per fixed `windowMs` starting at the first request. */
export interface RouteLimit {
  limit: number;
  windowMs: number;
  /** Routes with the same name share one bucket hash and one counter (per major parameter). Default: the route itself. */
  bucket?: string;
}

/** A per-resource limit shared by every user (scope `shared`): not counted as an invalid request. */
export interface SharedLimit {
  limit: number;
  windowMs: number;
  /** The JSON error code in the 429 body, if any. */
  code?: number;
}

export interface RateLimitOptions {
  /** False turns every limit off (headers too). Default true. */
  enabled: boolean;
  /** Per-route buckets keyed by route template; routes absent here send no bucket headers. */
  routes: Record<string, RouteLimit>;
  /** Shared (per-resource, all users) limits keyed by route template. Default {}. */
  shared: Record<string, SharedLimit>;
  /** Requests per window per user over all routes. Default 50 per 1_000 ms. */
  global: { limit: number; windowMs: number };
  /** 401/403/429 (except shared) per window before a Cloudflare ban of `banMs`. Default 10_000 per 600_000 ms, 24 h ban. */
  invalidRequests: { limit: number; windowMs: number; banMs: number };
}

export interface RateLimitInit {
  enabled?: boolean;
  /** Merged over the default routes; `null` removes a default. */
  routes?: Record<string, RouteLimit | null>;
  shared?: Record<string, SharedLimit>;
  global?: Partial<RateLimitOptions['global']>;
  invalidRequests?: Partial<RateLimitOptions['invalidRequests']>;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimitOptions> = Object.freeze({
  enabled: true,
  routes: Object.freeze({
    'GET /users/@me': { limit: 5, windowMs: 5_000 },
    // 5 per 5 s is what clients see on this route when they hit it (discord-api-docs#8161).
    'GET /channels/{channel_id}/messages': { limit: 5, windowMs: 5_000 },
    'POST /interactions': { limit: 5, windowMs: 5_000 },
    // Two routes behind one hash, as Discord does for similar-use routes.
    'GET /guilds/{guild_id}/application-command-index': {
      limit: 5,
      windowMs: 5_000,
      bucket: 'application-command-index',
    },
    'GET /channels/{channel_id}/application-command-index': {
      limit: 5,
      windowMs: 5_000,
      bucket: 'application-command-index',
    },
    'GET /channels/{channel_id}/application-commands/search': { limit: 5, windowMs: 5_000 },
  }),
  shared: Object.freeze({}),
  global: Object.freeze({ limit: 50, windowMs: 1_000 }),
  invalidRequests: Object.freeze({ limit: 10_000, windowMs: 600_000, banMs: 86_400_000 }),
});

function positiveInteger(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new SimulatorOptionsError(name, `expected an integer >= 1, got ${String(value)}`);
  }
}

export function resolveRateLimits(init: RateLimitInit = {}): RateLimitOptions {
  const routes: Record<string, RouteLimit> = { ...DEFAULT_RATE_LIMITS.routes };
  for (const [route, limit] of Object.entries(init.routes ?? {})) {
    if (limit === null) delete routes[route];
    else routes[route] = limit;
  }
  const options: RateLimitOptions = {
    enabled: init.enabled ?? DEFAULT_RATE_LIMITS.enabled,
    routes,
    shared: { ...init.shared },
    global: { ...DEFAULT_RATE_LIMITS.global, ...init.global },
    invalidRequests: { ...DEFAULT_RATE_LIMITS.invalidRequests, ...init.invalidRequests },
  };
  for (const [route, limit] of Object.entries(options.routes)) {
    positiveInteger(`rateLimits.routes['${route}'].limit`, limit.limit);
    positiveInteger(`rateLimits.routes['${route}'].windowMs`, limit.windowMs);
  }
  for (const [route, limit] of Object.entries(options.shared)) {
    positiveInteger(`rateLimits.shared['${route}'].limit`, limit.limit);
    positiveInteger(`rateLimits.shared['${route}'].windowMs`, limit.windowMs);
  }
  positiveInteger('rateLimits.global.limit', options.global.limit);
  positiveInteger('rateLimits.global.windowMs', options.global.windowMs);
  positiveInteger('rateLimits.invalidRequests.limit', options.invalidRequests.limit);
  positiveInteger('rateLimits.invalidRequests.windowMs', options.invalidRequests.windowMs);
  positiveInteger('rateLimits.invalidRequests.banMs', options.invalidRequests.banMs);
  return options;
}
