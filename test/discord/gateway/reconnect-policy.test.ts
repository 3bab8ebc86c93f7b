import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/discord/gateway/errors.js';
import {
  DEFAULT_RECONNECT_POLICY,
  reconnectDelay,
  resolveReconnectPolicy,
} from '../../../src/discord/gateway/reconnect-policy.js';

describe('reconnectDelay', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 30_000, jitter: 0.5 };

  it.each([
    [1, 0, 1_000],
    [1, 0.999_999, 500],
    [2, 0, 2_000],
    [3, 0.5, 3_000],
    [5, 0, 16_000],
    [6, 0, 30_000],
    [40, 0, 30_000],
  ])('attempt %i with random %d waits %i ms', (attempt, random, expected) => {
    expect(reconnectDelay(attempt, policy, () => random)).toBe(expected);
  });

  it('is exact without jitter', () => {
    expect(reconnectDelay(2, { ...policy, jitter: 0 }, () => 0.9)).toBe(2_000);
  });
});

describe('resolveReconnectPolicy', () => {
  it('fills the defaults', () => {
    expect(resolveReconnectPolicy()).toEqual(DEFAULT_RECONNECT_POLICY);
    expect(resolveReconnectPolicy({ maxAttempts: 0 }).maxAttempts).toBe(0);
  });

  it.each([
    [{ maxAttempts: -1 }, 'reconnect.maxAttempts'],
    [{ maxAttempts: 1.5 }, 'reconnect.maxAttempts'],
    [{ baseDelayMs: Number.NaN }, 'reconnect.baseDelayMs'],
    [{ baseDelayMs: 100, maxDelayMs: 50 }, 'reconnect.maxDelayMs'],
    [{ jitter: 1.5 }, 'reconnect.jitter'],
  ])('refuses %o naming %s', (partial, option) => {
    let error: unknown;
    try {
      resolveReconnectPolicy(partial);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'GATEWAY_INVALID_USE', option });
    expect((error as Error).message).toContain(option);
  });
});
