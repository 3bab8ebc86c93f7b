/**
 * Should a failed request be sent again, and after how long? Pure decisions over the typed error;
 * the client only sequences them through p-retry.
 */
import type { Random } from '../../util/clock.js';
import {
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  DiscordProtocolError,
  DiscordTimeoutError,
  RateLimitedError,
  RETRYABLE_STATUSES,
} from './errors.js';
import type { RetryReason } from './rate-limiter-types.js';

export interface BackoffPolicy {
  /** First retry's upper bound, ms. */
  baseMs: number;
  /** Growth per retry. */
  factor: number;
  /** Upper bound of any one delay, ms. */
  maxMs: number;
}

/**
 * Why `error` may be retried, or undefined when it must not be: permanent 4xx, 401, Cloudflare,
 * the invalid-request guard, and anything ambiguous (a POST that may have reached Discord). A
 * malformed 2xx to a GET is retried like a 5xx: a truncated body is a transport accident.
 */
export function retryReason(error: unknown): RetryReason | undefined {
  if (error instanceof RateLimitedError) return 'rate-limit';
  if (error instanceof DiscordHTTPError || error instanceof DiscordAPIError) {
    return RETRYABLE_STATUSES.has(error.status) && !error.ambiguous ? 'server-error' : undefined;
  }
  if (error instanceof DiscordTimeoutError) return error.ambiguous ? undefined : 'timeout';
  if (error instanceof DiscordProtocolError) return error.ambiguous ? undefined : 'protocol';
  if (error instanceof DiscordNetworkError) return error.ambiguous ? undefined : 'network';
  return undefined;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): uniformly random in [0, min(max, base * factor^retryIndex)], so clients that failed
 * together do not retry together. `retryIndex` is 0 for the first retry.
 */
export function backoffDelay(retryIndex: number, policy: BackoffPolicy, random: Random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * policy.factor ** retryIndex);
  return Math.round(random() * ceiling);
}
