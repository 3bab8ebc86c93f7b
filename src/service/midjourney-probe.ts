/**
 * Connects the service's health and metrics to the library: the Discord check goes through the
 * RestClient (and so its one RateLimiter), the limiter's events feed the Discord metrics, and the
 * Midjourney client reports slots and queue depth.
 */
import type { GatewayClient } from '../discord/gateway/index.js';
import type { RestClient } from '../discord/rest/index.js';
import type { Midjourney } from '../generation/midjourney.js';
import type { DiscordStatus, DiscordTelemetry, ServiceProbe } from './health.js';

const UNREACHABLE = new Set([
  'DiscordHTTPError',
  'DiscordNetworkError',
  'DiscordTimeoutError',
  'CloudflareBanError',
  'AbortError',
  'TimeoutError',
]);

/** `GET /users/@me`: reachability and token validity in one call. */
export async function checkDiscord(
  rest: Pick<RestClient, 'getCurrentUser'>,
  signal: AbortSignal,
  now = Date.now,
) {
  const started = now();
  try {
    const user = await rest.getCurrentUser({ signal });
    return {
      reachable: true,
      tokenValid: true,
      latencyMs: now() - started,
      user: user.username,
    } satisfies DiscordStatus;
  } catch (error) {
    const e = error as Error & { status?: number };
    if (e.name === 'TokenInvalidError' || e.status === 401) {
      return { reachable: true, tokenValid: false, error: e.message } satisfies DiscordStatus;
    }
    return {
      reachable: !UNREACHABLE.has(e.name),
      tokenValid: null,
      latencyMs: now() - started,
      error: e.message,
    } satisfies DiscordStatus;
  }
}

export interface MidjourneyProbeOptions {
  midjourney: Midjourney;
  rest: RestClient;
  /** The gateway client when watching over the gateway. */
  gateway?: GatewayClient | undefined;
}

export function midjourneyProbe(options: MidjourneyProbeOptions): {
  probe: ServiceProbe;
  telemetry: DiscordTelemetry;
} {
  const { midjourney, rest, gateway } = options;
  const probe: ServiceProbe = {
    checkDiscord: (signal) => checkDiscord(rest, signal),
    rateLimiter: () => limiterSummary(rest),
    cloudflare: () => {
      const { cloudflareForMs, cloudflare } = rest.limiter.stats().blocked;
      return {
        bannedForMs: cloudflareForMs,
        consecutive: cloudflare.consecutive,
        lastRetryAfterMs: cloudflare.lastRetryAfterMs,
      };
    },
    gateway: () => (gateway ? { state: gateway.state } : { state: 'disabled', watch: 'poll' }),
    slots: () => {
      const stats = midjourney.stats();
      return { inUse: stats.slots.inUse, limit: stats.slots.limit, queueDepth: stats.queueDepth };
    },
  };
  const telemetry: DiscordTelemetry = (sink) => {
    const onResponse = (e: { route: string; status: number }): void => sink.response(e.route, e.status);
    const onRateLimited = (e: { scope: string }): void => sink.rateLimited(e.scope);
    const onRetry = (e: { route: string }): void => sink.retry(e.route);
    rest.limiter.on('response', onResponse);
    rest.limiter.on('rateLimited', onRateLimited);
    rest.limiter.on('retry', onRetry);
    return () => {
      rest.limiter.off('response', onResponse);
      rest.limiter.off('rateLimited', onRateLimited);
      rest.limiter.off('retry', onRetry);
    };
  };
  return { probe, telemetry };
}

/** The RateLimiter's state for /health: queue, buckets, global pause, invalid requests, totals. */
export function limiterSummary(rest: Pick<RestClient, 'limiter'>): Record<string, unknown> {
  const stats = rest.limiter.stats();
  return {
    queueDepth: stats.queueDepth,
    inFlight: stats.inFlight,
    buckets: stats.buckets.length,
    exhaustedBuckets: stats.buckets.filter((b) => b.remaining === 0 || b.parkedForMs > 0).length,
    globalPausedForMs: stats.global.pausedForMs,
    invalidRequestsInWindow: stats.totals.invalidRequestsInWindow,
    blocked: stats.blocked,
    totals: {
      requests: stats.totals.requests,
      retries: stats.totals.retries,
      rateLimited: stats.totals.rateLimited,
    },
    last429: stats.last429,
  };
}
