/**
 * Which failed steps are tried again, and after how long: pure, so the rules are tested as a table.
 * Queue full is retried by default (Midjourney asks to come back later); moderation never is.
 */
import type { Random } from '../util/clock.js';
import { MODERATION_OUTCOMES } from './outcome.js';

/** What `--retry` accepts. */
export const RETRYABLE_OUTCOMES = [
  'queue-full',
  'timeout',
  'job-failed',
  'unknown',
  'output-filter',
  'duplicate-images',
  'discord',
  'error',
] as const;

export interface RetryPolicy {
  /** Outcomes tried again. Default `queue-full` only. */
  outcomes: ReadonlySet<string>;
  /** Submissions per step, the first included. Default 4. */
  maxAttempts: number;
  /** Backoff before the 2nd submission; doubled each time after. Default 5_000 ms. */
  baseDelayMs: number;
  /** Cap on one backoff. Default 300_000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  outcomes: new Set(['queue-full']),
  maxAttempts: 4,
  baseDelayMs: 5_000,
  maxDelayMs: 300_000,
});

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/**
 * Decides about a failed step that has had `attempts` submissions. The delay is exponential with
 * jitter in [50 %, 100 %] of the step (so parallel slots do not retry in lockstep), never shorter
 * than the wait the error suggests (`retryAfter`), and never longer than `maxDelayMs`.
 */
export function planRetry(
  input: {
    outcome: string;
    attempts: number;
    retryAfterMs?: number | undefined;
    /**
     * The error's own `retryable`. A `discord` failure that says false (the token refused, a
     * Cloudflare ban, a send that may have reached Discord) is not retried even under
     * `--retry discord`: the retry would fail the same way, extend the ban, or pay twice.
     */
    retryable?: boolean | undefined;
  },
  policy: RetryPolicy,
  random: Random = Math.random,
): RetryDecision {
  if (MODERATION_OUTCOMES.has(input.outcome)) return { retry: false, reason: 'moderation is never retried' };
  if (!policy.outcomes.has(input.outcome))
    return { retry: false, reason: `${input.outcome} is not in --retry` };
  if (input.outcome === 'discord' && input.retryable === false) {
    return { retry: false, reason: 'this Discord failure is not retryable' };
  }
  if (input.attempts >= policy.maxAttempts) {
    return { retry: false, reason: `gave up after ${input.attempts} attempts` };
  }
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, input.attempts - 1));
  const delayMs = Math.round(step * (0.5 + 0.5 * random()));
  return { retry: true, delayMs: Math.min(policy.maxDelayMs, Math.max(delayMs, input.retryAfterMs ?? 0)) };
}

/** Parses `--retry a,b,c` (or `none`); the reason names the bad entry and what is accepted. */
export function parseRetryOutcomes(
  text: string,
): { ok: true; value: Set<string> } | { ok: false; reason: string } {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 1 && names[0] === 'none') return { ok: true, value: new Set() };
  if (names.length === 0) return { ok: false, reason: '--retry needs a comma-separated list of outcomes' };
  for (const name of names) {
    if (MODERATION_OUTCOMES.has(name)) {
      return { ok: false, reason: `--retry ${name}: moderation outcomes are never retried` };
    }
    if (!(RETRYABLE_OUTCOMES as readonly string[]).includes(name)) {
      return {
        ok: false,
        reason: `--retry: unknown outcome "${name}" (accepted: ${RETRYABLE_OUTCOMES.join(', ')}, or none)`,
      };
    }
  }
  return { ok: true, value: new Set(names) };
}
