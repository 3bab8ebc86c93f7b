/**
 * A circuit breaker around Discord submissions. Closed: submissions flow, consecutive transport
 * failures are counted. After `failureThreshold` of them (or one fatal failure such as a bad
 * token) it opens: submissions fail fast with CircuitOpenError for `openMs`. Then it is half-open:
 * one submission at a time goes through as a probe; its success closes the breaker, its failure
 * opens it again. Time comes from the injected clock, so there are no timers.
 */
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import { CircuitOpenError } from '../errors.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long it stays open before letting a probe through, ms. Default 30 s. */
  openMs?: number;
  /** Retry-After suggested while a half-open probe is in flight, ms. Default 1 s. */
  probeWaitMs?: number;
  clock?: Clock;
  /** Told about every state change (for logs and metrics). */
  onStateChange?: (state: CircuitState, reason: string) => void;
}

/** One submission's pass through the breaker; report its outcome once. */
export interface CircuitPermit {
  /** Discord took the submission (or answered with a Midjourney outcome). */
  success(): void;
  /** A transport failure (5xx, timeout, network); `fatal` opens the breaker at once (bad token). */
  failure(reason: string, fatal?: boolean): void;
  /** Neither (cancelled before sending, local validation): frees a probe slot without a verdict. */
  release(): void;
}

export interface CircuitStats {
  state: CircuitState;
  consecutiveFailures: number;
  /** ms until a probe is allowed (0 unless open). */
  retryAfterMs: number;
  lastFailure: string | null;
  opened: number;
}

export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly probeWaitMs: number;
  private readonly clock: Clock;
  private readonly onStateChange: ((state: CircuitState, reason: string) => void) | undefined;
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private lastFailure: string | null = null;
  private openedCount = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.openMs = options.openMs ?? 30_000;
    this.probeWaitMs = options.probeWaitMs ?? 1_000;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) {
      throw new RangeError(`failureThreshold: must be an integer >= 1, got ${this.failureThreshold}`);
    }
    if (!(this.openMs > 0)) throw new RangeError(`openMs: must be > 0, got ${this.openMs}`);
    this.clock = options.clock ?? systemClock;
    this.onStateChange = options.onStateChange;
  }

  /** The state now (an open breaker whose time is up reads as half-open). */
  get state(): CircuitState {
    if (this.current === 'open' && this.clock.now() - this.openedAt >= this.openMs) {
      this.transition('half-open', 'open period elapsed');
    }
    return this.current;
  }

  /** Lets one submission through, or throws CircuitOpenError with a Retry-After. */
  acquire(): CircuitPermit {
    const state = this.state;
    if (state === 'open') {
      throw new CircuitOpenError(
        this.openMs - (this.clock.now() - this.openedAt),
        this.lastFailure ?? 'failures',
      );
    }
    if (state === 'half-open') {
      if (this.probeInFlight) throw new CircuitOpenError(this.probeWaitMs, 'a probe submission is in flight');
      this.probeInFlight = true;
      return this.permit(true);
    }
    return this.permit(false);
  }

  private permit(probe: boolean): CircuitPermit {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      if (probe) this.probeInFlight = false;
      return true;
    };
    return {
      success: () => {
        if (settle()) this.recordSuccess(probe);
      },
      failure: (reason, fatal = false) => {
        if (settle()) this.recordFailure(reason, fatal, probe);
      },
      release: () => {
        settle();
      },
    };
  }

  private recordSuccess(probe: boolean): void {
    this.failures = 0;
    if (probe || this.current === 'half-open') this.transition('closed', 'probe succeeded');
  }

  private recordFailure(reason: string, fatal: boolean, probe: boolean): void {
    this.failures += 1;
    this.lastFailure = reason;
    if (fatal || probe || this.current === 'half-open' || this.failures >= this.failureThreshold) {
      this.open(reason);
    }
  }

  /** Opens the breaker now (a fatal condition seen outside a submission, e.g. a health check). */
  open(reason: string): void {
    this.lastFailure = reason;
    this.openedAt = this.clock.now();
    this.openedCount += 1;
    this.transition('open', reason);
  }

  private transition(state: CircuitState, reason: string): void {
    if (this.current === state && state !== 'open') return;
    this.current = state;
    if (state === 'closed') this.failures = 0;
    this.onStateChange?.(state, reason);
  }

  stats(): CircuitStats {
    const state = this.state;
    return {
      state,
      consecutiveFailures: this.failures,
      retryAfterMs: state === 'open' ? Math.max(0, this.openMs - (this.clock.now() - this.openedAt)) : 0,
      lastFailure: this.lastFailure,
      opened: this.openedCount,
    };
  }
}
