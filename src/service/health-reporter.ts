/**
 * Builds the /health answer from the probe, the breaker, the runner and the store. The Discord
 * check is cached (MJW_HEALTH_CACHE_MS) and shared by concurrent callers, so health checks
 * cannot turn into a stream of Discord calls; a bad token seen here opens the breaker.
 */
import type { Clock } from '../util/clock.js';
import type { DiscordStatus, ServiceProbe } from './health.js';
import type { JobStore } from './jobs/job-store.js';
import type { ClientRateLimiter } from './limits/client-limiter.js';
import type { TokenBucketStats } from './limits/token-bucket.js';
import type { CircuitBreaker } from './protection/circuit-breaker.js';
import type { JobRunner } from './runner/job-runner.js';
import type { WebhookDispatcher } from './webhooks/dispatcher.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  discord: DiscordStatus | null;
  circuit: ReturnType<CircuitBreaker['stats']>;
  rateLimiter: Record<string, unknown> | null;
  gateway: Record<string, unknown> | null;
  slots: { inUse: number; limit: number; queueDepth: number } | null;
  queueDepth: number;
  jobs: { active: number; waiting: number; stored: number | null };
  store: { ok: boolean; error?: string };
  webhooks: { inFlight: number };
  clientLimits: Record<string, TokenBucketStats>;
  uptimeMs: number;
  /** Which components made the status degraded. */
  problems: string[];
}

export interface HealthReporterOptions {
  probe: ServiceProbe;
  breaker: CircuitBreaker;
  runner: JobRunner;
  store: JobStore;
  webhooks: WebhookDispatcher;
  limiters: Readonly<Record<string, ClientRateLimiter>>;
  clock: Clock;
  cacheMs: number;
  timeoutMs?: number;
}

export class HealthReporter {
  private cached: { at: number; status: DiscordStatus } | undefined;
  private pending: Promise<DiscordStatus> | undefined;
  private readonly startedAt: number;

  constructor(private readonly o: HealthReporterOptions) {
    this.startedAt = o.clock.now();
  }

  private async discord(): Promise<DiscordStatus | null> {
    const check = this.o.probe.checkDiscord;
    if (check === undefined) return null;
    const now = this.o.clock.now();
    if (this.cached && now - this.cached.at < this.o.cacheMs) return this.cached.status;
    // Through a promise: a probe that throws synchronously is one more unreachable Discord.
    this.pending ??= Promise.resolve()
      .then(() => check(AbortSignal.timeout(this.o.timeoutMs ?? 5_000)))
      .catch(
        (error: unknown): DiscordStatus => ({
          reachable: false,
          tokenValid: null,
          error: (error as Error).message,
        }),
      )
      .then((status) => {
        this.cached = { at: this.o.clock.now(), status };
        if (status.tokenValid === false) this.o.breaker.open('the Discord token was refused (401)');
        return status;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  async report(): Promise<HealthReport> {
    const { probe, breaker, runner, store } = this.o;
    const problems: string[] = [];
    const discord = await this.discord();
    if (discord?.reachable === false) problems.push('discord: unreachable');
    if (discord?.tokenValid === false) problems.push('discord: token refused');
    let stored: number | null = null;
    let storeStatus: HealthReport['store'] = { ok: true };
    try {
      stored = await store.count();
    } catch (error) {
      storeStatus = { ok: false, error: (error as Error).message };
      problems.push('store: failing');
    }
    const circuit = breaker.stats();
    if (circuit.state === 'open') problems.push(`circuit: open (${circuit.lastFailure ?? 'failures'})`);
    const slots = probe.slots?.() ?? null;
    const gateway = probe.gateway?.() ?? null;
    const clientLimits = Object.fromEntries(Object.entries(this.o.limiters).map(([k, l]) => [k, l.stats()]));
    return {
      status: problems.length === 0 ? 'ok' : 'degraded',
      discord,
      circuit,
      rateLimiter: probe.rateLimiter?.() ?? null,
      gateway,
      slots,
      queueDepth: slots?.queueDepth ?? runner.waitingCount,
      jobs: { active: runner.activeCount, waiting: runner.waitingCount, stored },
      store: storeStatus,
      webhooks: { inFlight: this.o.webhooks.pending },
      clientLimits,
      uptimeMs: this.o.clock.now() - this.startedAt,
      problems,
    };
  }
}
