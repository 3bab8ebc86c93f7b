/**
 * The service's metrics. Counters are bumped where things happen; gauges that mirror live state
 * (jobs in flight, queue depth, circuit state, limiter buckets) read it at scrape time through
 * `gauges`, so they are never stale.
 */
import type { AccountView } from '../../accounts/types.js';
import { registerProcessMetrics } from './process-metrics.js';
import {
  Counter,
  type CounterSeries,
  Gauge,
  Histogram,
  type HistogramSeries,
  MetricsRegistry,
} from './registry.js';

/** Live values read at each scrape. */
export interface GaugeSources {
  activeJobs(): number;
  waitingJobs(): number;
  /** The generator's own queue (jobs waiting for a Midjourney slot), when known. */
  generatorQueueDepth(): number | undefined;
  slotsInUse(): number | undefined;
  circuitState(): string;
  clientBuckets(): { limit: string; trackedKeys: number; limitedKeys: number }[];
  pendingWebhooks(): number;
  /** The RateLimiter's Cloudflare ban state, when a Discord client is attached. */
  cloudflare?: () => { bannedForMs: number; consecutive: number } | undefined;
  /** The accounts of an account pool (none for a single client). */
  accounts?(): AccountView[];
}

export const JOB_DURATION_BUCKETS_S = [5, 15, 30, 60, 120, 300, 600, 1_200] as const;
export const HTTP_DURATION_BUCKETS_S = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5] as const;

export class ServiceMetrics {
  readonly registry = new MetricsRegistry();
  readonly jobsSubmitted = this.registry.register(
    new Counter('mjw_jobs_submitted_total', 'Jobs accepted by the service, by kind.'),
  );
  readonly jobsFinished = this.registry.register(
    new Counter(
      'mjw_jobs_total',
      'Jobs finished, by outcome (succeeded, or the error code such as QUEUE_FULL).',
    ),
  );
  readonly jobDuration = this.registry.register(
    new Histogram(
      'mjw_job_duration_seconds',
      'Time from acceptance to outcome, by kind and status.',
      JOB_DURATION_BUCKETS_S,
    ),
  );
  readonly discordRequests = this.registry.register(
    new Counter('mjw_discord_requests_total', 'Discord API calls, by route and HTTP status.'),
  );
  readonly discordRateLimited = this.registry.register(
    new Counter('mjw_discord_rate_limited_total', 'Discord 429 responses, by scope.'),
  );
  readonly discordRetries = this.registry.register(
    new Counter('mjw_discord_retries_total', 'Discord calls retried, by route.'),
  );
  readonly httpRequests = this.registry.register(
    new Counter('mjw_http_requests_total', 'HTTP requests served, by route, method and status.'),
  );
  readonly httpDuration = this.registry.register(
    new Histogram(
      'mjw_http_request_duration_seconds',
      'HTTP request latency, by route.',
      HTTP_DURATION_BUCKETS_S,
    ),
  );
  readonly clientRateLimited = this.registry.register(
    new Counter(
      'mjw_client_rate_limited_total',
      'Requests refused with 429 by the per-client limiter, by limit.',
    ),
  );
  readonly webhookDeliveries = this.registry.register(
    new Counter('mjw_webhook_deliveries_total', 'Webhook deliveries finished, by event and state.'),
  );
  readonly circuitTransitions = this.registry.register(
    new Counter('mjw_circuit_transitions_total', 'Circuit breaker state changes, by new state.'),
  );

  constructor(gauges: GaugeSources) {
    const r = this.registry;
    r.register(
      new Gauge('mjw_jobs_active', 'Jobs in flight in the service.', (set) => set(gauges.activeJobs())),
    );
    r.register(
      new Gauge('mjw_jobs_waiting', 'Jobs accepted but not yet sent to Discord.', (set) =>
        set(gauges.waitingJobs()),
      ),
    );
    r.register(
      new Gauge('mjw_queue_depth', 'Jobs waiting in the generator for a Midjourney slot.', (set) => {
        const depth = gauges.generatorQueueDepth();
        set(depth ?? gauges.waitingJobs());
      }),
    );
    r.register(
      new Gauge('mjw_slots_in_use', 'Midjourney job slots in use.', (set) => {
        const inUse = gauges.slotsInUse();
        if (inUse !== undefined) set(inUse);
      }),
    );
    r.register(
      new Gauge('mjw_circuit_state', 'Circuit breaker state (1 for the current one).', (set) => {
        const current = gauges.circuitState();
        for (const state of ['closed', 'open', 'half-open']) set(state === current ? 1 : 0, { state });
      }),
    );
    r.register(
      new Gauge(
        'mjw_client_limiter_keys',
        'Per-client limiter buckets held, and those out of tokens.',
        (set) => {
          for (const b of gauges.clientBuckets()) {
            set(b.trackedKeys, { limit: b.limit, kind: 'tracked' });
            set(b.limitedKeys, { limit: b.limit, kind: 'limited' });
          }
        },
      ),
    );
    r.register(
      new Gauge(
        'mjw_webhook_deliveries_in_flight',
        'Webhook deliveries being attempted or waiting to retry.',
        (set) => set(gauges.pendingWebhooks()),
      ),
    );
    r.register(
      new Gauge(
        'mjw_discord_cloudflare_ban_seconds',
        'Seconds until a Cloudflare ban of this IP lifts (0 when none).',
        (set) => {
          const ban = gauges.cloudflare?.();
          if (ban !== undefined) set(ban.bannedForMs / 1000);
        },
      ),
    );
    r.register(
      new Gauge(
        'mjw_discord_cloudflare_bans_consecutive',
        'Cloudflare bans in a row (each doubles the pause); 0 after a quiet window.',
        (set) => {
          const ban = gauges.cloudflare?.();
          if (ban !== undefined) set(ban.consecutive);
        },
      ),
    );
    const accounts = gauges.accounts;
    if (accounts) this.registerAccountGauges(() => accounts.call(gauges));
    this.stopProcessMetrics = registerProcessMetrics(r);
  }

  private readonly stopProcessMetrics: () => void;

  /** Stops the process monitors (event-loop delay, GC observer). */
  close(): void {
    this.stopProcessMetrics();
  }

  /** Per-account series, labelled `account` (the account's id, never its token). */
  private registerAccountGauges(accounts: () => AccountView[]): void {
    const r = this.registry;
    r.register(
      new Gauge('mjw_account_enabled', 'Whether the account takes jobs (1) or is disabled (0).', (set) => {
        for (const a of accounts()) set(a.state === 'enabled' ? 1 : 0, { account: a.id });
      }),
    );
    r.register(
      new Gauge('mjw_account_slots', "The account's job slots, busy and total.", (set) => {
        for (const a of accounts()) {
          set(a.slots.busy, { account: a.id, kind: 'busy' });
          set(a.slots.total, { account: a.id, kind: 'total' });
        }
      }),
    );
    r.register(
      new Gauge('mjw_account_jobs_today', 'Jobs submitted with the account in the last 24 h.', (set) => {
        for (const a of accounts()) set(a.jobsToday, { account: a.id });
      }),
    );
    r.register(
      new Gauge(
        'mjw_account_discord_requests',
        "Discord calls made with the account's token since start, and 429s answered (its RateLimiter).",
        (set) => {
          for (const a of accounts()) {
            if (a.limiter === null) continue;
            set(a.limiter.requests, { account: a.id, kind: 'requests' });
            set(a.limiter.rateLimited, { account: a.id, kind: 'rate_limited' });
          }
        },
      ),
    );
  }

  /**
   * The series of each route, method and status, found once: a request counts without building
   * labels (a handful of routes, methods and statuses, so this stays as small as the metrics).
   */
  private readonly httpSeries = new Map<string, { requests: CounterSeries; duration: HistogramSeries }>();

  /** One request served: `route` is the route's template, undefined when none matched. */
  observeHttp(route: string | undefined, method: string, status: number, seconds: number): void {
    const template = route ?? 'unmatched';
    const key = `${status} ${method} ${template}`;
    let series = this.httpSeries.get(key);
    if (series === undefined) {
      series = {
        requests: this.httpRequests.series({ route: template, method, status }),
        duration: this.httpDuration.series({ route: template }),
      };
      this.httpSeries.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }

  render(): string {
    return this.registry.render();
  }
}
