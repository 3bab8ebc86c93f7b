/**
 * What runs around every request: refusal during shutdown, authentication (except the public
 * paths), the per-key token bucket with `X-RateLimit-*` headers (its token given back when the
 * request is refused before any work, refund-policy.ts), and the HTTP metrics.
 */
import { RateLimitError, ServiceClosingError } from '../errors.js';
import type { ClientRateLimiter } from '../limits/client-limiter.js';
import { refundsRequestToken } from '../limits/refund-policy.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { ApiKeyAuthenticator } from './api-keys.js';
import type { ServiceApp } from './service-app.js';

export interface RequestHookOptions {
  auth: ApiKeyAuthenticator;
  /** Every call of one key. */
  limiter: ClientRateLimiter;
  metrics: ServiceMetrics;
  /** Paths served without a key (health checks, optionally metrics). */
  publicPaths: ReadonlySet<string>;
  /** Further public paths by rule (a prefix such as /docs/); default none. */
  isPublic?: (path: string) => boolean;
  /** Aborted when the service stops: requests still arriving get SERVICE_CLOSING. */
  shutdown?: AbortSignal;
}

export function installRequestHooks(app: ServiceApp, options: RequestHookOptions): void {
  const { auth, limiter, metrics, publicPaths, isPublic, shutdown } = options;
  /** Requests whose requests token was taken, so a refusal can give it back. */
  const charged = new WeakSet<object>();
  app.addHook('onRequest', async (request, reply) => {
    if (shutdown?.aborted) {
      void reply.header('connection', 'close');
      throw new ServiceClosingError();
    }
    const path = request.url.split('?', 1)[0] ?? '';
    if (publicPaths.has(path) || isPublic?.(path)) return;
    request.clientId = auth.authenticate(request.headers);
    const taken = await limiter.take(request.clientId);
    void reply.header('x-ratelimit-limit', String(limiter.capacity));
    void reply.header('x-ratelimit-remaining', String(taken.remaining));
    if (!taken.allowed) {
      metrics.clientRateLimited.inc({ limit: 'requests' });
      throw new RateLimitError(taken.retryAfterMs, 'requests');
    }
    charged.add(request);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (charged.has(request) && refundsRequestToken(request.refusalCode || undefined)) {
      await limiter.refund(request.clientId);
    }
    metrics.observeHttp(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });
}
