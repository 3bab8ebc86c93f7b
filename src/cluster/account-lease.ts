/**
 * `AccountLease`: the right to drive one Discord account (its token, its slots, its channel), held
 * by one worker at a time across the cluster. It is a Redis key with a TTL (at most 30 s), renewed
 * well before it expires, and a **fencing token**: a number from a per-account counter that grows
 * on every acquisition. Whatever a holder does under the lease (a Discord call through the
 * FencedSendGate, a job write) is checked against the current fence in Redis, so a worker that
 * paused past its TTL (GC, SIGSTOP, a slow disk) and lost the lease can no longer act on the
 * account even before it notices: its fence is stale.
 *
 * Locally the lease counts as held only until `renewedAt + ttl - safetyMargin` by this process's
 * clock; past that it stops driving even if Redis cannot be reached to ask. Redis's own expiry
 * runs on Redis's clock, so the margin covers clock rate differences, not absolute offsets
 * (none are compared).
 */
import { EventEmitter } from 'eventemitter3';
import type { Redis } from 'ioredis';
import { ValidationError } from '../errors.js';
import { backgroundClock, type Clock } from '../util/clock.js';
import { ClusterUnavailableError, LeaseLostError } from './errors.js';
import { type ClusterKeys, clusterKeys } from './keys.js';

/** The longest lease a worker may take: a killed worker's accounts wait at most this long. */
export const MAX_LEASE_TTL_MS = 30_000;

export interface AccountLeaseOptions {
  /** A connected ioredis client. */
  redis: Redis;
  /** The account's id from the accounts file. */
  accountId: string;
  /** Who holds it: a worker id unique in the cluster (host, pid and a random part). */
  owner: string;
  /** Lease time to live, ms. Default 15,000; at most 30,000. */
  ttlMs?: number;
  /** How often the holder renews, ms. Default a third of the TTL. */
  renewEveryMs?: number;
  /** Local safety margin subtracted from the TTL, ms. Default a tenth of the TTL. */
  safetyMarginMs?: number;
  /** Redis keys. Default `clusterKeys('mjw')`. */
  keys?: ClusterKeys;
  /** Renewal timers and local expiry. Default `backgroundClock` (unref'd timers). */
  clock?: Clock;
}

export interface AccountLeaseEvents {
  /** The lease is gone (taken over, expired, or unprovable for longer than the TTL). */
  lost: [error: LeaseLostError];
}

// KEYS[1] lease, KEYS[2] fence counter; ARGV[1] owner, ARGV[2] ttl ms. Returns the new fence, or
// nil when someone holds the lease.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return nil end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. fence, 'PX', ARGV[2])
return fence`;

// KEYS[1] lease; ARGV[1] `<owner>|<fence>`, ARGV[2] ttl ms. 1 when still ours and extended.
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

// KEYS[1] lease; ARGV[1] `<owner>|<fence>`. Deletes only our own lease.
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

interface ResolvedLeaseOptions {
  ttlMs: number;
  renewEveryMs: number;
  safetyMarginMs: number;
  keys: ClusterKeys;
  clock: Clock;
}

function resolveLeaseOptions(options: AccountLeaseOptions): ResolvedLeaseOptions {
  const ttlMs = options.ttlMs ?? 15_000;
  const resolved = {
    ttlMs,
    renewEveryMs: options.renewEveryMs ?? Math.floor(ttlMs / 3),
    safetyMarginMs: options.safetyMarginMs ?? Math.floor(ttlMs / 10),
    keys: options.keys ?? clusterKeys(),
    clock: options.clock ?? backgroundClock,
  };
  const problems: string[] = [];
  if (!Number.isInteger(ttlMs) || ttlMs < 1_000 || ttlMs > MAX_LEASE_TTL_MS) {
    problems.push(`ttlMs: expected an integer from 1000 to ${MAX_LEASE_TTL_MS}, got ${String(ttlMs)}`);
  }
  if (
    !Number.isInteger(resolved.renewEveryMs) ||
    resolved.renewEveryMs < 1 ||
    resolved.renewEveryMs * 2 > ttlMs
  ) {
    problems.push(
      `renewEveryMs: expected an integer from 1 to half of ttlMs, got ${String(resolved.renewEveryMs)}`,
    );
  }
  if (
    !Number.isInteger(resolved.safetyMarginMs) ||
    resolved.safetyMarginMs < 0 ||
    resolved.safetyMarginMs + resolved.renewEveryMs >= ttlMs
  ) {
    problems.push(
      `safetyMarginMs: expected an integer from 0 to ttlMs - renewEveryMs, got ${String(resolved.safetyMarginMs)}`,
    );
  }
  if (options.accountId === '' || options.owner === '' || options.owner.includes('|')) {
    problems.push('accountId / owner: expected non-empty strings, the owner without "|"');
  }
  if (problems.length > 0) throw new ValidationError('Invalid AccountLease options', problems);
  return resolved;
}

export class AccountLease extends EventEmitter<AccountLeaseEvents> {
  readonly accountId: string;
  readonly owner: string;
  /** The fencing token: proof of this acquisition, checked by every fenced write and send. */
  readonly fence: number;
  /** What the lease key holds while this lease is current: `<owner>|<fence>`. */
  readonly holderValue: string;
  private readonly redis: Redis;
  private readonly settings: ResolvedLeaseOptions;
  private validUntil: number;
  private lostError: LeaseLostError | undefined;
  private readonly life = new AbortController();
  private renewing: Promise<void> | undefined;

  private constructor(
    options: AccountLeaseOptions,
    settings: ResolvedLeaseOptions,
    fence: number,
    at: number,
  ) {
    super();
    this.redis = options.redis;
    this.accountId = options.accountId;
    this.owner = options.owner;
    this.fence = fence;
    this.holderValue = `${options.owner}|${fence}`;
    this.settings = settings;
    this.validUntil = at + settings.ttlMs - settings.safetyMarginMs;
  }

  /**
   * Takes the account's lease if nobody holds it, and starts renewing it. Resolves with null when
   * another worker holds it. Throws ClusterUnavailableError when Redis cannot answer.
   */
  static async acquire(options: AccountLeaseOptions): Promise<AccountLease | null> {
    const settings = resolveLeaseOptions(options);
    const startedAt = settings.clock.now();
    let fence: unknown;
    try {
      fence = await options.redis.eval(
        ACQUIRE,
        2,
        settings.keys.lease(options.accountId),
        settings.keys.fence(options.accountId),
        options.owner,
        settings.ttlMs,
      );
    } catch (error) {
      throw new ClusterUnavailableError(`Account ${options.accountId}: could not ask Redis for the lease`, {
        cause: error,
      });
    }
    if (fence === null) return null;
    // Counted from before the request: Redis started the TTL no earlier than that.
    const lease = new AccountLease(options, settings, Number(fence), startedAt);
    lease.renewing = lease.renewLoop();
    return lease;
  }

  /** Who holds the account's lease now (the owner id), or undefined when nobody does. */
  static async holderOf(
    redis: Redis,
    accountId: string,
    keys: ClusterKeys = clusterKeys(),
  ): Promise<string | undefined> {
    const value = await redis.get(keys.lease(accountId));
    if (value === null) return undefined;
    return value.slice(0, value.lastIndexOf('|'));
  }

  /** Whether this process may still act under the lease: not lost, and proven recently enough. */
  get held(): boolean {
    return this.lostError === undefined && this.settings.clock.now() < this.validUntil;
  }

  /** Throws the LeaseLostError when the lease is no longer held locally. */
  assertHeld(): void {
    if (this.held) return;
    throw this.markLost();
  }

  /**
   * Records that Redis showed the lease is no longer this one (a fenced check failed): stops
   * renewing, emits `lost` once, and returns the error to throw.
   */
  invalidate(): LeaseLostError {
    return this.markLost();
  }

  /** Extends the lease once. False (and `lost` emitted) when it is no longer ours. */
  async renew(): Promise<boolean> {
    if (this.lostError) return false;
    const startedAt = this.settings.clock.now();
    const result = await this.redis.eval(
      RENEW,
      1,
      this.settings.keys.lease(this.accountId),
      this.holderValue,
      this.settings.ttlMs,
    );
    if (Number(result) !== 1) {
      this.markLost();
      return false;
    }
    this.validUntil = Math.max(
      this.validUntil,
      startedAt + this.settings.ttlMs - this.settings.safetyMarginMs,
    );
    return true;
  }

  /**
   * Stops renewing and deletes the lease if it is still ours, so another worker can take the
   * account at once (a SIGTERM hand-back). Idempotent; never throws for a Redis failure (the TTL
   * frees the account anyway).
   */
  async release(): Promise<void> {
    const wasLost = this.lostError !== undefined;
    this.lostError ??= new LeaseLostError(this.accountId, this.fence);
    this.life.abort();
    await this.renewing;
    if (wasLost) return;
    try {
      await this.redis.eval(RELEASE, 1, this.settings.keys.lease(this.accountId), this.holderValue);
    } catch {
      // Expiry frees it within the TTL.
    }
  }

  private markLost(): LeaseLostError {
    if (this.lostError) return this.lostError;
    this.lostError = new LeaseLostError(this.accountId, this.fence);
    this.life.abort();
    this.emit('lost', this.lostError);
    return this.lostError;
  }

  private async renewLoop(): Promise<void> {
    const { clock, renewEveryMs } = this.settings;
    while (!this.life.signal.aborted) {
      try {
        await clock.sleep(renewEveryMs, this.life.signal);
      } catch {
        return;
      }
      try {
        if (!(await this.renew())) return;
      } catch {
        // Redis unreachable: keep trying; the lease stays held locally only until validUntil.
        if (clock.now() >= this.validUntil) {
          this.markLost();
          return;
        }
      }
    }
  }
}
