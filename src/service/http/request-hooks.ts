/**
 * What runs around every request: refusal during shutdown, authentication (except the public
 * paths), the per-key token bucket with `X-RateLimit-*` headers (its token given back when the
 * request is refused before any work, refund-policy.ts), and the HTTP metrics.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { RateLimitError, ServiceClosingError } from '../errors.js';
import type { ClientRateLimiter } from '../limits/client-limiter.js';
import { refundsRequestToken } from '../limits/refund-policy.js';
import type { TakeResult } from '../limits/token-bucket.js';
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
  const capacity = String(limiter.capacity);
  /** The limiter's verdict on a request: headers, then on or refused. */
  const admit = (
    request: FastifyRequest,
    reply: FastifyReply,
    taken: TakeResult,
    done: HookHandlerDoneFunction,
  ): void => {
    void reply.header('x-ratelimit-limit', capacity);
    void reply.header('x-ratelimit-remaining', String(taken.remaining));
    if (!taken.allowed) {
      metrics.clientRateLimited.inc({ limit: 'requests' });
      done(new RateLimitError(taken.retryAfterMs, 'requests'));
      return;
    }
    charged.add(request);
    done();
  };
  // Callback hooks, not async ones: these run for every request, and the in-process limiter
  // answers at once; a promise (the Redis limiter's) is followed when there is one.
  app.addHook('onRequest', (request, reply, done) => {
    if (shutdown?.aborted) {
      void reply.header('connection', 'close');
      done(new ServiceClosingError());
      return;
    }
    const url = request.url;
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (publicPaths.has(path) || isPublic?.(path)) {
      done();
      return;
    }
    let taken: TakeResult | Promise<TakeResult>;
    try {
      request.clientId = auth.authenticate(request.headers);
      taken = limiter.take(request.clientId);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (taken instanceof Promise) {
      taken.then(
        (result) => admit(request, reply, result, done),
        (error: Error) => done(error),
      );
    } else {
      admit(request, reply, taken, done);
    }
  });
  app.addHook('onResponse', (request, reply, done) => {
    const observe = (): void => {
      metrics.observeHttp(
        request.routeOptions.url,
        request.method,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    };
    if (!charged.has(request) || !refundsRequestToken(request.refusalCode || undefined)) {
      observe();
      return;
    }
    let refunded: void | Promise<void>;
    try {
      refunded = limiter.refund(request.clientId);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (refunded instanceof Promise) refunded.then(observe, (error: Error) => done(error));
    else observe();
  });
}
