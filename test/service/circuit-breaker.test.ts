import { describe, expect, it } from 'vitest';
import { CircuitOpenError } from '../../src/service/errors.js';
import { CircuitBreaker, type CircuitState } from '../../src/service/protection/circuit-breaker.js';
import { ManualClock } from './helpers/http.js';

function setup(threshold = 3) {
  const clock = new ManualClock();
  const transitions: CircuitState[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: threshold,
    openMs: 10_000,
    clock,
    onStateChange: (state) => transitions.push(state),
  });
  return { clock, breaker, transitions };
}

describe('CircuitBreaker', () => {
  it('opens after consecutive transport failures and fails fast with Retry-After', () => {
    const { clock, breaker } = setup(3);
    for (let i = 0; i < 3; i += 1) breaker.acquire().failure('502 Bad Gateway');
    expect(breaker.state).toBe('open');
    clock.advance(4_000);
    let error: unknown;
    try {
      breaker.acquire();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toMatchObject({
      code: 'CIRCUIT_OPEN',
      retryAfter: 6_000,
      reason: '502 Bad Gateway',
      status: 503,
    });
  });

  it('a success between failures resets the count', () => {
    const { breaker } = setup(3);
    breaker.acquire().failure('timeout');
    breaker.acquire().failure('timeout');
    breaker.acquire().success();
    breaker.acquire().failure('timeout');
    breaker.acquire().failure('timeout');
    expect(breaker.state).toBe('closed');
  });

  it('opens at once on a fatal failure (bad token)', () => {
    const { breaker } = setup(5);
    breaker.acquire().failure('401 token invalid', true);
    expect(breaker.state).toBe('open');
  });

  it('half-open lets one probe through; its success closes the breaker', () => {
    const { clock, breaker, transitions } = setup(1);
    breaker.acquire().failure('network');
    clock.advance(10_000);
    expect(breaker.state).toBe('half-open');
    const probe = breaker.acquire();
    expect(() => breaker.acquire()).toThrow(/probe/);
    probe.success();
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
    breaker.acquire();
  });

  it('a failed probe opens it again for a full period', () => {
    const { clock, breaker } = setup(1);
    breaker.acquire().failure('network');
    clock.advance(10_000);
    breaker.acquire().failure('still down');
    expect(breaker.stats()).toMatchObject({
      state: 'open',
      retryAfterMs: 10_000,
      lastFailure: 'still down',
      opened: 2,
    });
  });

  it('a released probe frees the slot without a verdict; permits settle once', () => {
    const { clock, breaker } = setup(1);
    breaker.acquire().failure('network');
    clock.advance(10_000);
    const probe = breaker.acquire();
    probe.release();
    probe.failure('ignored after release');
    expect(breaker.state).toBe('half-open');
    breaker.acquire().success();
    expect(breaker.state).toBe('closed');
  });
});
