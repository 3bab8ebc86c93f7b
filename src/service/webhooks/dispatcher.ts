/**
 * Delivers webhook notifications: each is stored as a pending delivery first, then POSTed with
 * its signature, retried with exponential backoff and jitter (p-retry) on network errors,
 * timeouts, 408, 429 and 5xx; other 4xx and refused targets are final. Every attempt updates the
 * stored delivery and its attempt log (status or error, when the next one is due), so a restart
 * resumes the pending ones and `GET /v1/jobs/:id/deliveries` shows how they went. One job's
 * deliveries are sent in order.
 *
 * The wait before a retry is drawn here, not inside p-retry, so the time of the next attempt can be
 * stored with the attempt that failed: p-retry runs with no delay of its own and `onFailedAttempt`
 * sleeps the drawn delay (p-retry's own formula: minDelay x 2^(n-1) x (1 + random), capped).
 */
import { randomUUID } from 'node:crypto';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from 'pino';
import { type Dispatcher, request } from 'undici';
import type { Clock } from '../../util/clock.js';
import { sleep, systemClock } from '../../util/clock.js';
import { silentLogger } from '../../util/logger.js';
import { WebhookTargetError } from '../errors.js';
import type { JobRecord, WebhookFormat } from '../jobs/job.js';
import {
  DELIVERY_ATTEMPT_LOG_LIMIT,
  type DeliveryAttempt,
  type JobStore,
  type WebhookDelivery,
} from '../jobs/job-store.js';
import { SIGNATURE_HEADER, signWebhook } from './signature.js';
import type { WebhookTargetPolicy } from './target-policy.js';

export interface WebhookDispatcherOptions {
  store: JobStore;
  /** HMAC key of the signature header. */
  secret: string;
  policy: WebhookTargetPolicy;
  /** undici dispatcher for the POSTs; default one that connects through the policy's lookup. */
  dispatcher?: Dispatcher;
  clock?: Clock;
  logger?: Logger;
  /** Attempts per terminal notification, including the first. Default 6. */
  maxAttempts?: number;
  /** First retry delay, ms; doubles each time, with full jitter. Default 1000. */
  minDelayMs?: number;
  /** Longest retry delay, ms. Default 60000. */
  maxDelayMs?: number;
  /** Per-attempt timeout, ms. Default 10000. */
  timeoutMs?: number;
  /** Random numbers in [0, 1) for the retry jitter. Default Math.random. */
  random?: () => number;
  /** Told about each finished delivery (metrics). */
  onDelivery?: (delivery: WebhookDelivery) => void;
  userAgent?: string;
}

/** A failed attempt that retrying may fix. */
class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    /** The wait before the next attempt, ms; null when the budget is spent. */
    readonly delayMs: number | null = null,
  ) {
    super(message);
  }
}

/** Appends an attempt to the delivery's log, keeping the newest DELIVERY_ATTEMPT_LOG_LIMIT. */
function logAttempt(delivery: WebhookDelivery, attempt: DeliveryAttempt): void {
  const log = delivery.log ?? [];
  log.push(attempt);
  if (log.length > DELIVERY_ATTEMPT_LOG_LIMIT) log.splice(0, log.length - DELIVERY_ATTEMPT_LOG_LIMIT);
  delivery.log = log;
}

export class WebhookDispatcher {
  private readonly store: JobStore;
  private readonly secret: string;
  private readonly policy: WebhookTargetPolicy;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxAttempts: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly onDelivery: ((delivery: WebhookDelivery) => void) | undefined;
  private readonly userAgent: string;
  private readonly random: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  /** The last delivery queued per job, which the next one waits for. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly controller = new AbortController();

  constructor(options: WebhookDispatcherOptions) {
    this.store = options.store;
    this.secret = options.secret;
    this.policy = options.policy;
    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher = options.dispatcher ?? this.policy.createDispatcher();
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.minDelayMs = options.minDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.onDelivery = options.onDelivery;
    this.userAgent = options.userAgent ?? 'midjourney-worker-webhooks';
    this.random = options.random ?? Math.random;
  }

  /**
   * Stores a delivery of `body` for `job`'s webhook and starts sending it. Resolves once it is
   * stored; progress notifications get a single attempt, the others the full retry budget.
   */
  async enqueue(
    job: Pick<JobRecord, 'id' | 'webhookUrl' | 'webhookFormat'>,
    event: string,
    body: string,
  ): Promise<void> {
    if (job.webhookUrl === null || this.controller.signal.aborted) return;
    const now = this.clock.now();
    const delivery: WebhookDelivery = {
      id: randomUUID(),
      jobId: job.id,
      url: job.webhookUrl,
      event,
      format: job.webhookFormat satisfies WebhookFormat,
      body,
      state: 'pending',
      attempts: 0,
      lastStatus: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      deliveredAt: null,
    };
    // Tracked from the start, so `idle()` also waits for deliveries still being stored.
    let stored!: () => void;
    let failed!: (error: unknown) => void;
    const saved = new Promise<void>((resolve, reject) => {
      stored = resolve;
      failed = reject;
    });
    const previous = this.chains.get(job.id) ?? Promise.resolve();
    const work = this.store.saveDelivery(delivery).then(
      async () => {
        stored();
        // One job's notifications go out in order: a late progress never follows the outcome.
        await previous;
        await this.deliver(delivery);
      },
      (error: unknown) => failed(error),
    );
    const settled = work.catch(() => undefined);
    this.chains.set(job.id, settled);
    void settled.then(() => {
      if (this.chains.get(job.id) === settled) this.chains.delete(job.id);
    });
    this.track(work, delivery);
    await saved;
  }

  /** Restarts the deliveries left pending by a previous run; returns how many. */
  async resume(): Promise<number> {
    const pending = await this.store.listPendingDeliveries();
    for (const delivery of pending) this.start(delivery);
    return pending.length;
  }

  /** Resolves when no delivery is in flight (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  private start(delivery: WebhookDelivery): void {
    this.track(this.deliver(delivery), delivery);
  }

  private track(work: Promise<void>, delivery: WebhookDelivery): void {
    const run = work.catch((error: unknown) => {
      this.logger.error({ err: error, deliveryId: delivery.id }, 'webhook delivery crashed');
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async deliver(delivery: WebhookDelivery): Promise<void> {
    const attempts = delivery.event === 'progress' ? 1 : this.maxAttempts;
    const signal = this.controller.signal;
    try {
      await pRetry(() => this.attempt(delivery, attempts), {
        retries: Math.max(0, attempts - 1 - delivery.attempts),
        // The delay is slept in onFailedAttempt (see the opening comment).
        minTimeout: 0,
        maxTimeout: 0,
        signal,
        onFailedAttempt: async ({ error }) => {
          if (error instanceof RetryableDeliveryError && error.delayMs !== null) {
            await sleep(error.delayMs, signal);
          }
        },
        shouldRetry: ({ error }) => error instanceof RetryableDeliveryError,
      });
      delivery.state = 'delivered';
      delivery.deliveredAt = this.clock.now();
    } catch (error) {
      // Shutting down: leave it pending for the next start.
      if (signal.aborted) return;
      delivery.state = 'failed';
      delivery.lastError ??= (error as Error).message;
      this.logger.warn(
        {
          deliveryId: delivery.id,
          jobId: delivery.jobId,
          attempts: delivery.attempts,
          error: delivery.lastError,
        },
        'webhook delivery failed',
      );
    }
    delivery.updatedAt = this.clock.now();
    await this.store.saveDelivery(delivery);
    this.onDelivery?.(delivery);
  }

  /** The wait after failed attempt `n` (1 for the first), ms. */
  private retryDelay(n: number): number {
    const delay = Math.round((1 + this.random()) * this.minDelayMs * 2 ** (n - 1));
    return Math.min(delay, this.maxDelayMs);
  }

  private async attempt(delivery: WebhookDelivery, budget: number): Promise<void> {
    delivery.attempts += 1;
    delivery.updatedAt = this.clock.now();
    let retryIn: number | null = null;
    try {
      // IP-literal URLs never reach the lookup, so check here too (also catches a policy change).
      const url = new URL(delivery.url);
      await this.policy.addresses(url.hostname, delivery.url);
      const response = await request(url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: {
          'content-type': 'application/json',
          'user-agent': this.userAgent,
          [SIGNATURE_HEADER]: signWebhook(this.secret, delivery.body, this.clock.now()),
          'x-mjw-event': delivery.event,
          'x-mjw-delivery': delivery.id,
        },
        body: delivery.body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.timeoutMs)]),
      });
      await response.body.dump();
      delivery.lastStatus = response.statusCode;
      if (response.statusCode >= 200 && response.statusCode < 300) {
        delivery.lastError = null;
        return;
      }
      const message = `receiver answered ${response.statusCode}`;
      delivery.lastError = message;
      const retryable =
        response.statusCode === 408 || response.statusCode === 429 || response.statusCode >= 500;
      if (!retryable) throw new AbortError(message);
      retryIn = delivery.attempts < budget ? this.retryDelay(delivery.attempts) : null;
      throw new RetryableDeliveryError(message, response.statusCode, retryIn);
    } catch (error) {
      if (error instanceof RetryableDeliveryError || error instanceof AbortError) throw error;
      if (error instanceof WebhookTargetError || (error as Error).cause instanceof WebhookTargetError) {
        const target =
          error instanceof WebhookTargetError ? error : ((error as Error).cause as WebhookTargetError);
        delivery.lastStatus = null;
        delivery.lastError = target.message;
        throw new AbortError(target.message);
      }
      delivery.lastStatus = null;
      delivery.lastError = (error as Error).message;
      retryIn = delivery.attempts < budget ? this.retryDelay(delivery.attempts) : null;
      throw new RetryableDeliveryError(delivery.lastError, null, retryIn);
    } finally {
      // Each attempt is recorded, so a crash mid-retry leaves an accurate count.
      if (!this.controller.signal.aborted) {
        const at = this.clock.now();
        logAttempt(delivery, {
          attempt: delivery.attempts,
          at,
          status: delivery.lastStatus,
          error: delivery.lastError,
          nextAttemptAt: retryIn === null ? null : at + retryIn,
        });
        await this.store.saveDelivery(delivery);
      }
    }
  }

  /** Stops retrying (pending deliveries stay stored for the next start) and closes connections. */
  async close(): Promise<void> {
    this.controller.abort(new Error('webhook dispatcher closed'));
    await this.idle();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
