/**
 * `buildService`: assembles the HTTP service around a Generator: the job store and runner, the
 * per-client limits, webhooks, the circuit breaker, health and metrics, and the Fastify app with
 * the /v1, midjourney-proxy and ops routes. Every outside dependency is an option.
 */

import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { AccountDirectory } from '../accounts/types.js';
import { loadServiceConfig, type ServiceConfig } from '../config/service.js';
import { routeTemplate } from '../discord/rest/routes.js';
import { isCommandGenerator } from '../generation/commands/types.js';
import type { Generator } from '../generation/types.js';
import type { Clock } from '../util/clock.js';
import { systemClock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { AccountInfoBook } from './accounts/account-info-book.js';
import type { ServiceContext } from './context.js';
import type { DiscordTelemetry, ServiceProbe } from './health.js';
import { HealthReporter } from './health-reporter.js';
import { attachJobHistory } from './history/job-history-recorder.js';
import { JOB_EXAMPLE, OPS_TAG, V1_TAG } from './http/answer-schemas.js';
import { ApiKeyAuthenticator } from './http/api-keys.js';
import { streamClientEvents } from './http/client-events.js';
import { createHttpApp } from './http/create-app.js';
import {
  dashboardPaths,
  findDashboardDir,
  loadDashboardAssets,
  registerDashboard,
} from './http/dashboard.js';
import { sweepIdempotencyKeys } from './http/idempotency.js';
import { toJobView } from './http/job-view.js';
import { isOpenApiPath, registerOpenApi } from './http/openapi.js';
import { installRequestHooks } from './http/request-hooks.js';
import { registerAccountInfoRoutes } from './http/routes-account-info.js';
import { registerAccountRoutes } from './http/routes-accounts.js';
import { registerCommandRoutes } from './http/routes-commands.js';
import { registerHealthRoutes } from './http/routes-health.js';
import { registerJobRecordRoutes } from './http/routes-job-records.js';
import { registerV1Routes } from './http/routes-v1.js';
import type { ServiceApp } from './http/service-app.js';
import { JobEventHub } from './http/sse.js';
import type { JobStore } from './jobs/job-store.js';
import { MemoryJobStore } from './jobs/memory-store.js';
import type { ClientRateLimiter } from './limits/client-limiter.js';
import { TokenBucketLimiter } from './limits/token-bucket.js';
import { observeJobs } from './metrics/job-metrics.js';
import { PROMETHEUS_CONTENT_TYPE } from './metrics/registry.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import { CircuitBreaker } from './protection/circuit-breaker.js';
import { registerProxyRoutes } from './proxy/routes.js';
import {
  JobRunner,
  type JobRunnerEvents,
  type JobRunnerOptions,
  type RecoveryReport,
} from './runner/job-runner.js';
import { WebhookDispatcher } from './webhooks/dispatcher.js';
import { attachJobNotifier } from './webhooks/job-notifier.js';
import { type Resolver, WebhookTargetPolicy } from './webhooks/target-policy.js';

export interface ServiceOptions {
  /** The orchestrator (`Midjourney`) or a fake. Required. The service does not close it. */
  generator: Generator;
  /** Where jobs live; default an in-memory store. */
  store?: JobStore;
  /** Close the store with the service; default true only for the store it made itself. */
  closeStore?: boolean;
  /** Settings; unset fields come from the defaults of `loadServiceConfig({})`. */
  config?: Partial<ServiceConfig>;
  clock?: Clock;
  logger?: Logger;
  /** Health sources (Discord check, RateLimiter, gateway, slots). */
  probe?: ServiceProbe;
  /** Discord call telemetry for /metrics. */
  telemetry?: DiscordTelemetry;
  /** undici dispatcher for webhook POSTs; default one that enforces the target policy at connect. */
  webhookDispatcher?: Dispatcher;
  /** DNS resolution for the webhook target policy. */
  resolve?: Resolver;
  /** The Discord channel the jobs run in (keys the per key + channel limit). Default `default`. */
  channelId?: string;
  /**
   * This instance's id as owner of job claims. Default a random UUID per process, so two services
   * on one store never take each other's claims for their own.
   */
  instanceId?: string;
  /** The accounts, when `generator` is an AccountPool: `/v1/accounts`, `/mj/account/*`, metrics. */
  accounts?: AccountDirectory;
  /** Cluster mode (docs/scale.md): how this node's runner shares the work; absent on one process. */
  cluster?: ServiceClusterOptions;
  /**
   * The built dashboard served at `/` (Vite's output folder, with index.html). Default the
   * package's own `dist/web`, found next to this module; when none is found `/` says how to build it.
   */
  dashboardDir?: string;
  /**
   * The per-key limiters; default in-process token buckets from the config. A cluster passes
   * Redis-backed ones (RedisTokenBucket) so each key's limit holds across every API node.
   * The service closes them.
   */
  limiters?: ServiceLimiters;
}

/** The two per-key limits: every request, and every accepted submission. */
export type ServiceLimiters = {
  readonly requests: ClientRateLimiter;
  readonly submissions: ClientRateLimiter;
};

export interface ServiceClusterOptions {
  /** Hands each accepted job to the workers (the queue); the runner then never drives a job it accepts. */
  dispatch: NonNullable<JobRunnerOptions['dispatch']>;
  /** Whether this node drives jobs (a worker). False on an API-only node. */
  drives: boolean;
  /** Every node's job changes: SSE streams listen here rather than to this node's runner alone. */
  changes?: EventEmitter<JobRunnerEvents>;
  /** A worker: errors that hand a job back to the cluster (JobRunnerOptions.handsBack). */
  handsBack?: JobRunnerOptions['handsBack'];
  /** A worker: the tickets it can follow (JobRunnerOptions.canResume). */
  canResume?: JobRunnerOptions['canResume'];
}

export type { ServiceApp } from './http/service-app.js';

export interface Service {
  readonly app: ServiceApp;
  readonly config: ServiceConfig;
  readonly runner: JobRunner;
  readonly store: JobStore;
  readonly metrics: ServiceMetrics;
  readonly breaker: CircuitBreaker;
  readonly webhooks: WebhookDispatcher;
  readonly limiters: ServiceLimiters;
  /** Picks up unfinished jobs and pending webhook deliveries from the store. */
  recover(): Promise<RecoveryReport & { webhooks: number }>;
  /** Listens; resolves with the base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  /** Stops accepting, ends streams, leaves in-flight jobs stored for the next start. */
  close(): Promise<void>;
}

export async function buildService(options: ServiceOptions): Promise<Service> {
  const config: ServiceConfig = { ...loadServiceConfig({}), ...options.config };
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const ownsStore = options.closeStore ?? options.store === undefined;
  const store = options.store ?? new MemoryJobStore();
  const shutdown = new AbortController();

  let metrics: ServiceMetrics | undefined;
  const breaker = new CircuitBreaker({
    failureThreshold: config.circuitFailureThreshold,
    openMs: config.circuitOpenMs,
    clock,
    onStateChange: (state, reason) => {
      metrics?.circuitTransitions.inc({ state });
      logger.warn({ state, reason }, 'circuit breaker state changed');
    },
  });
  const runner = new JobRunner({
    generator: options.generator,
    store,
    breaker,
    clock,
    logger,
    maxActiveJobs: config.maxActiveJobs,
    claimTtlMs: config.jobClaimTtlMs,
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
    ...(options.cluster
      ? {
          dispatch: options.cluster.dispatch,
          drives: options.cluster.drives,
          adoptQueued: false,
          ...(options.cluster.handsBack ? { handsBack: options.cluster.handsBack } : {}),
          ...(options.cluster.canResume ? { canResume: options.cluster.canResume } : {}),
        }
      : {}),
  });
  await runner.init();
  logger.debug({ instanceId: runner.instanceId }, 'job claims are held as this instance');
  const limiterOptions = { idleMs: config.rateLimitIdleMs, clock };
  const limiters: ServiceLimiters = options.limiters ?? {
    requests: new TokenBucketLimiter({ ...config.rateLimit, ...limiterOptions }),
    submissions: new TokenBucketLimiter({ ...config.submitRateLimit, ...limiterOptions }),
  };
  const policy = new WebhookTargetPolicy({
    allowPrivate: config.webhookAllowPrivate,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  if (config.webhookSecret === null) {
    logger.warn('MJW_WEBHOOK_SECRET is not set: webhooks are signed with a random per-process secret');
  }
  const webhooks = new WebhookDispatcher({
    store,
    secret: config.webhookSecret ?? randomBytes(32).toString('hex'),
    policy,
    clock,
    logger,
    maxAttempts: config.webhookMaxAttempts,
    minDelayMs: config.webhookMinDelayMs,
    maxDelayMs: config.webhookMaxDelayMs,
    timeoutMs: config.webhookTimeoutMs,
    onDelivery: (d) => metrics?.webhookDeliveries.inc({ event: d.event, state: d.state }),
    ...(options.webhookDispatcher ? { dispatcher: options.webhookDispatcher } : {}),
  });
  const probe = options.probe ?? {};
  metrics = new ServiceMetrics({
    activeJobs: () => runner.activeCount,
    waitingJobs: () => runner.waitingCount,
    generatorQueueDepth: () => probe.slots?.().queueDepth,
    slotsInUse: () => probe.slots?.().inUse,
    circuitState: () => breaker.state,
    clientBuckets: () => Object.entries(limiters).map(([limit, l]) => ({ limit, ...l.stats() })),
    pendingWebhooks: () => webhooks.pending,
    cloudflare: () => probe.cloudflare?.(),
    accounts: () => options.accounts?.accounts() ?? [],
  });
  const serviceMetrics = metrics;
  const detachNotifier = attachJobNotifier(runner, webhooks, {
    progress: config.webhookProgress,
    onError: (error, job) => logger.error({ err: error, jobId: job.id }, 'could not queue webhook'),
  });
  const detachJobMetrics = observeJobs(runner, serviceMetrics);
  // Each job's event history, stored with it; in a cluster, the worker driving the job writes it.
  const detachHistory = attachJobHistory(runner, store, {
    onError: (error, job) => logger.error({ err: error, jobId: job.id }, 'could not store a job event'),
  });
  const detachTelemetry = options.telemetry?.({
    // Templates, not ids: one series per endpoint, however many channels and accounts.
    response: (route, status) => serviceMetrics.discordRequests.inc({ route: routeTemplate(route), status }),
    rateLimited: (scope) => serviceMetrics.discordRateLimited.inc({ scope }),
    retry: (route) => serviceMetrics.discordRetries.inc({ route: routeTemplate(route) }),
  });
  const hub = new JobEventHub(options.cluster?.changes ?? runner);
  // Expired Idempotency-Keys are deleted at start and then hourly (or each TTL, if shorter).
  const stopKeySweep = sweepIdempotencyKeys(store, Math.min(config.idempotencyTtlMs, 3_600_000), logger);
  const health = new HealthReporter({
    probe,
    breaker,
    runner,
    store,
    webhooks,
    limiters,
    clock,
    cacheMs: config.healthCacheMs,
  });
  const auth = new ApiKeyAuthenticator(config.apiKeys, config.authDisabled);

  const dashboard = loadDashboardAssets(options.dashboardDir ?? findDashboardDir());
  if (dashboard.dir === null) logger.warn('the dashboard is not built (npm run build): / says so');
  const app = createHttpApp({ logger, bodyLimitBytes: config.bodyLimitBytes });
  installRequestHooks(app, {
    auth,
    limiter: limiters.requests,
    metrics: serviceMetrics,
    publicPaths: new Set([
      '/health',
      '/livez',
      '/readyz',
      ...(config.metricsPublic ? ['/metrics'] : []),
      ...dashboardPaths(dashboard),
    ]),
    // The API description is public like /livez: route shapes only (http/openapi.ts).
    isPublic: isOpenApiPath,
    shutdown: shutdown.signal,
  });

  const ctx: ServiceContext = {
    config,
    runner,
    store,
    hub,
    policy,
    breaker,
    metrics: serviceMetrics,
    submitLimiter: limiters.submissions,
    channelId: options.channelId ?? 'default',
    accounts: options.accounts,
    shutdown: shutdown.signal,
    commands: isCommandGenerator(options.generator) ? options.generator : undefined,
    accountInfo: new AccountInfoBook(),
    now: () => clock.now(),
    webhooks,
  };
  // Before the routes: @fastify/swagger collects them as they are added.
  await registerOpenApi(app);
  await app.register(async (scope) => registerV1Routes(scope, ctx));
  await app.register(async (scope) => registerCommandRoutes(scope, ctx));
  // Before the account routes: `/v1/accounts/info` is a path of its own, not an account id.
  await app.register(async (scope) => registerAccountInfoRoutes(scope, ctx));
  await app.register(async (scope) => registerAccountRoutes(scope, ctx));
  await app.register(async (scope) => registerJobRecordRoutes(scope, ctx));
  await app.register(async (scope) => registerProxyRoutes(scope, ctx));
  registerHealthRoutes(app, { health, auth });
  const eventsSchema = {
    summary: "Follow every change of the caller's jobs (Server-Sent Events)",
    description:
      'Opens with `ready`, then one event per change of any job of the calling key (`status`, `progress`, ' +
      '`notice`, `completed`, `failed`, `cancelled`); every `data` is the whole job. Used by the dashboard.',
    tags: [V1_TAG],
    produces: ['text/event-stream'],
    response: {
      200: {
        description: 'An event stream',
        content: {
          'text/event-stream': {
            schema: {
              type: 'string',
              examples: [`event: completed\ndata: ${JSON.stringify(JOB_EXAMPLE)}\n\n`],
            },
          },
        },
      },
    },
  };
  app.get('/v1/events', { schema: eventsSchema }, async (request, reply) => {
    streamClientEvents(request, reply, {
      hub,
      view: toJobView,
      shutdown: shutdown.signal,
      now: () => clock.now(),
    });
    return reply;
  });
  registerDashboard(app, dashboard);
  const metricsSchema = {
    summary: 'Prometheus metrics (public with MJW_METRICS_PUBLIC)',
    tags: [OPS_TAG],
    ...(config.metricsPublic ? { security: [] } : {}),
    produces: [PROMETHEUS_CONTENT_TYPE],
    response: {
      200: {
        description: 'The Prometheus text format',
        content: {
          'text/plain': {
            schema: { type: 'string', examples: ['mjw_jobs_submitted_total{kind="imagine"} 12\n'] },
          },
        },
      },
    },
  };
  app.get('/metrics', { schema: metricsSchema }, async (_request, reply) =>
    reply.header('content-type', PROMETHEUS_CONTENT_TYPE).send(serviceMetrics.render()),
  );

  let closed = false;
  return {
    app,
    config,
    runner,
    store,
    metrics: serviceMetrics,
    breaker,
    webhooks,
    limiters,
    async recover() {
      const report = await runner.recover();
      const resumedWebhooks = await webhooks.resume();
      if (report.resumed + report.submitted + report.failed + resumedWebhooks > 0) {
        logger.info({ ...report, webhooks: resumedWebhooks }, 'recovered unfinished work');
      }
      return { ...report, webhooks: resumedWebhooks };
    },
    async listen(listenOptions = {}) {
      return app.listen({ host: listenOptions.host ?? config.host, port: listenOptions.port ?? config.port });
    },
    async close() {
      if (closed) return;
      closed = true;
      shutdown.abort();
      await app.close();
      hub.close();
      stopKeySweep();
      await runner.close();
      detachNotifier();
      detachJobMetrics();
      detachHistory();
      serviceMetrics.close();
      detachTelemetry?.();
      await webhooks.close();
      limiters.requests.close();
      limiters.submissions.close();
      if (ownsStore) await store.close();
    },
  };
}
