/** What the route plugins share: built once by `buildService`. */
import type { AccountDirectory } from '../accounts/types.js';
import type { ServiceConfig } from '../config/service.js';
import type { CommandGenerator } from '../generation/commands/types.js';
import type { AccountInfoBook } from './accounts/account-info-book.js';
import { RateLimitError } from './errors.js';
import type { JobEventHub } from './http/sse.js';
import type { JobStore } from './jobs/job-store.js';
import type { ClientRateLimiter } from './limits/client-limiter.js';
import type { ServiceMetrics } from './metrics/service-metrics.js';
import type { CircuitBreaker } from './protection/circuit-breaker.js';
import type { JobRunner } from './runner/job-runner.js';
import type { WebhookDispatcher } from './webhooks/dispatcher.js';
import type { WebhookTargetPolicy } from './webhooks/target-policy.js';

export interface ServiceContext {
  config: ServiceConfig;
  runner: JobRunner;
  store: JobStore;
  hub: JobEventHub;
  policy: WebhookTargetPolicy;
  breaker: CircuitBreaker;
  metrics: ServiceMetrics;
  submitLimiter: ClientRateLimiter;
  /** The Discord channel jobs run in (the per key + channel submission bucket). */
  channelId: string;
  /** The accounts jobs run on, when the generator is an account pool (`/v1/accounts`). */
  accounts?: AccountDirectory | undefined;
  /** Aborts when the service closes (ends SSE streams). */
  shutdown: AbortSignal;
  /** describe / blend / shorten / image uploads, when the generator offers them (`Midjourney`). */
  commands?: CommandGenerator | undefined;
  /** The last `/info` read per account. */
  accountInfo: AccountInfoBook;
  /** ms since the epoch. */
  now: () => number;
  /** Webhook deliveries (the proxy's DESCRIBE / BLEND / SHORTEN tasks notify through it too). */
  webhooks?: Pick<WebhookDispatcher, 'enqueue'> | undefined;
}

/**
 * Takes one submission token for `clientId` in the service's channel, or throws RateLimitError.
 * Returns the refund: call it when the submission is refused after all (refund-policy.ts).
 */
export async function takeSubmission(ctx: ServiceContext, clientId: string): Promise<() => Promise<void>> {
  const key = `${clientId}:${ctx.channelId}`;
  const taken = await ctx.submitLimiter.take(key);
  if (!taken.allowed) {
    ctx.metrics.clientRateLimited.inc({ limit: 'submissions' });
    throw new RateLimitError(taken.retryAfterMs, 'submissions');
  }
  let refunded = false;
  return async () => {
    if (refunded) return;
    refunded = true;
    await ctx.submitLimiter.refund(key);
  };
}

/**
 * Runs `accept` (checks, then storing the job) with a submission token taken first; the token
 * is given back if `accept` throws, so only accepted jobs are charged.
 */
export async function chargeSubmission<T>(
  ctx: ServiceContext,
  clientId: string,
  accept: () => Promise<T>,
): Promise<T> {
  const refund = await takeSubmission(ctx, clientId);
  try {
    return await accept();
  } catch (error) {
    await refund();
    throw error;
  }
}
