import { describe, expect, it } from 'vitest';
import { errorInfo, outcomeOf } from '../../src/batch/outcome.js';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryOutcomes,
  planRetry,
  type RetryPolicy,
} from '../../src/batch/retry-policy.js';
import {
  InvalidRequestError,
  JobTimeoutError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
} from '../../src/midjourney/errors.js';

const policy: RetryPolicy = {
  outcomes: new Set(['queue-full', 'timeout']),
  maxAttempts: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 3_000,
};

describe('planRetry', () => {
  it.each([
    // outcome, attempts made, random, expected
    ['queue-full', 1, 1, { retry: true, delayMs: 1_000 }],
    ['queue-full', 1, 0, { retry: true, delayMs: 500 }],
    ['queue-full', 2, 1, { retry: true, delayMs: 2_000 }],
    ['timeout', 2, 0.5, { retry: true, delayMs: 1_500 }],
    ['queue-full', 3, 1, { retry: false, reason: 'gave up after 3 attempts' }],
    ['job-failed', 1, 1, { retry: false, reason: 'job-failed is not in --retry' }],
    ['pre-moderation', 1, 1, { retry: false, reason: 'moderation is never retried' }],
  ] as const)('%s after %i attempt(s), random %d', (outcome, attempts, random, expected) => {
    expect(planRetry({ outcome, attempts }, policy, () => random)).toEqual(expected);
  });

  it('caps the exponential step and honours a longer retryAfter, within the cap', () => {
    const wide = { ...policy, maxAttempts: 10 };
    const plan = (attempts: number, retryAfterMs?: number) =>
      planRetry({ outcome: 'queue-full', attempts, retryAfterMs }, wide, () => 1);
    expect(plan(6)).toEqual({ retry: true, delayMs: 3_000 });
    expect(plan(1, 2_500)).toEqual({ retry: true, delayMs: 2_500 });
    expect(plan(1, 9_000)).toEqual({ retry: true, delayMs: 3_000 });
  });

  it('never retries moderation even when listed in the policy', () => {
    const reckless = {
      ...policy,
      outcomes: new Set(['post-moderation', 'ephemeral-moderation', 'appeal-needed']),
    };
    for (const outcome of reckless.outcomes)
      expect(planRetry({ outcome, attempts: 1 }, reckless).retry).toBe(false);
  });

  it('retries queue full by default', () => {
    expect(planRetry({ outcome: 'queue-full', attempts: 1 }, DEFAULT_RETRY_POLICY).retry).toBe(true);
    expect(planRetry({ outcome: 'timeout', attempts: 1 }, DEFAULT_RETRY_POLICY).retry).toBe(false);
  });
});

describe('parseRetryOutcomes', () => {
  it('accepts a list and none', () => {
    expect(parseRetryOutcomes('queue-full, timeout,job-failed')).toEqual({
      ok: true,
      value: new Set(['queue-full', 'timeout', 'job-failed']),
    });
    expect(parseRetryOutcomes('none')).toEqual({ ok: true, value: new Set() });
  });

  it('refuses moderation and unknown names, saying why', () => {
    expect(parseRetryOutcomes('timeout,pre-moderation')).toEqual({
      ok: false,
      reason: '--retry pre-moderation: moderation outcomes are never retried',
    });
    const unknown = parseRetryOutcomes('tiemout');
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.reason).toMatch(
      /unknown outcome "tiemout" \(accepted: queue-full, timeout/,
    );
    expect(parseRetryOutcomes(' , ').ok).toBe(false);
  });
});

describe('outcomeOf', () => {
  it('names Midjourney outcomes like the classifier and everything else by family', () => {
    expect(outcomeOf(new QueueFullError({ prompt: 'p' }))).toBe('queue-full');
    expect(outcomeOf(new JobTimeoutError({ prompt: 'p', timeoutMs: 5 }))).toBe('timeout');
    expect(outcomeOf(new PreModerationError({ prompt: 'p' }))).toBe('pre-moderation');
    expect(outcomeOf(new PostModerationError({ prompt: 'p' }))).toBe('post-moderation');
    expect(outcomeOf(new InvalidRequestError({ prompt: 'p' }))).toBe('invalid-request');
    expect(outcomeOf(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('discord');
    expect(outcomeOf(new TypeError('bug'))).toBe('error');
  });

  it('keeps name, code, message and retryable for the result line', () => {
    expect(errorInfo(new QueueFullError({ prompt: 'p', notice: 'Queue full' }))).toEqual({
      name: 'QueueFullError',
      code: 'QUEUE_FULL',
      message: "Midjourney's job queue for this account is full: Queue full",
      retryable: true,
    });
  });
});
