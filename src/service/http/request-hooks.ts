/**
 * What runs around every request: authentication (except the public paths), the per-key token
 * bucket with `X-RateLimit-*` headers, and the HTTP metrics.
 */
import { RateLimitError } from '../errors.js';
import type { TokenBucketLimiter } from '../limits/token-bucket.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { ApiKeyAuthenticator } from './api-keys.js';
import type { ServiceApp } from './service-app.js';

export interface RequestHookOptions {
  auth: ApiKeyAuthenticator;
  /** Every call of one key. */
  limiter: TokenBucketLimiter;
  metrics: ServiceMetrics;
  /** Paths served without a key (health checks, optionally metrics). */
  publicPaths: ReadonlySet<string>;
}

export function installRequestHooks(app: ServiceApp, options: RequestHookOptions): void {
  const { auth, limiter, metrics, publicPaths } = options;
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (publicPaths.has(path)) return;
    request.clientId = auth.authenticate(request.headers);
    const taken = limiter.take(request.clientId);
    void reply.header('x-ratelimit-limit', String(limiter.capacity));
    void reply.header('x-ratelimit-remaining', String(taken.remaining));
    if (!taken.allowed) {
      metrics.clientRateLimited.inc({ limit: 'requests' });
      throw new RateLimitError(taken.retryAfterMs, 'requests');
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeHttp(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });
}
