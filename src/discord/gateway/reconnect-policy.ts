import type { Random } from '../../util/clock.js';
import { invalidOption } from './errors.js';

/** How the client reconnects after a drop once the session has been ready. */
export interface ReconnectPolicy {
  /**
   * Attempts in a row (without reaching READY/RESUMED in between) before the client gives up
   * with a `fatal` GATEWAY_RECONNECT_EXHAUSTED. 0 never reconnects. Default 10.
   */
  maxAttempts: number;
  /** Delay before the first attempt, doubled on each further one. Default 1_000 ms. */
  baseDelayMs: number;
  /** Upper bound of any delay. Default 30_000 ms. */
  maxDelayMs: number;
  /**
   * Share of each delay that is random, in [0, 1]: the delay is uniform in
   * `[d * (1 - jitter), d]`, so many clients dropped together do not return in step. Default 0.5.
   */
  jitter: number;
}

export const DEFAULT_RECONNECT_POLICY: Readonly<ReconnectPolicy> = Object.freeze({
  maxAttempts: 10,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  jitter: 0.5,
});

/** The wait before reconnect attempt `attempt` (1-based): capped exponential with jitter. */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy, random: Random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.round(ceiling * (1 - policy.jitter * random()));
}

/** Merges and validates; errors name the option (`reconnect.maxAttempts`) and its range. */
export function resolveReconnectPolicy(partial: Partial<ReconnectPolicy> = {}): ReconnectPolicy {
  const policy = { ...DEFAULT_RECONNECT_POLICY, ...partial };
  const { maxAttempts, baseDelayMs, maxDelayMs, jitter } = policy;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 0) {
    throw invalidOption('reconnect.maxAttempts', 'an integer >= 0', maxAttempts);
  }
  if (!Number.isFinite(baseDelayMs) || baseDelayMs < 0) {
    throw invalidOption('reconnect.baseDelayMs', 'a number of ms >= 0', baseDelayMs);
  }
  if (!Number.isFinite(maxDelayMs) || maxDelayMs < baseDelayMs) {
    throw invalidOption('reconnect.maxDelayMs', `a number of ms >= baseDelayMs (${baseDelayMs})`, maxDelayMs);
  }
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw invalidOption('reconnect.jitter', 'a number in [0, 1]', jitter);
  }
  return policy;
}
