/**
 * `AccountBalancer`: which accounts this worker drives. Every round it
 *  1. beats its heart in the workers set (Redis time; a worker silent for the TTL is dropped),
 *  2. computes its fair share, ceil(accounts / live workers),
 *  3. forgets leases it lost (emits `released`),
 *  4. sheds accounts above its share, one per round, after `drain(accountId)` (the worker stops
 *     taking jobs on it and lets its in-flight jobs finish), so a new worker gets some soon,
 *  5. takes free accounts up to its share, starting at an offset of its own so that workers do not
 *     all race for the same one (emits `acquired` with the lease).
 * A stopped worker (SIGTERM) hands every account back at once (`stop()`); a killed one's leases
 * expire within their TTL and the survivors take them in their next round. Shares converge: the
 * sum of the ceilings is at least the number of accounts, so no account stays undriven.
 */
import { EventEmitter } from 'eventemitter3';
import type { Redis } from 'ioredis';
import { backgroundClock, type Clock } from '../util/clock.js';
import { AccountLease } from './account-lease.js';
import { type ClusterKeys, clusterKeys } from './keys.js';

export interface AccountBalancerOptions {
  redis: Redis;
  /** This worker's id, unique in the cluster. */
  workerId: string;
  /** Every enabled account of the deployment. */
  accountIds: readonly string[];
  /** Lease TTL, ms. Default 15,000 (at most 30,000). The worker heartbeat uses the same TTL. */
  ttlMs?: number;
  /** Time between rounds, ms. Default 2,000. */
  intervalMs?: number;
  /** Called before an account is handed back to rebalance; resolve when it is safe to let go. */
  drain?: (accountId: string) => Promise<void>;
  keys?: ClusterKeys;
  clock?: Clock;
}

export interface AccountBalancerEvents {
  acquired: [lease: AccountLease];
  /** No longer driven by this worker: lost, shed or stopped. Stop sending on it at once. */
  released: [accountId: string, reason: 'lost' | 'shed' | 'stopped'];
  /** A round failed (Redis unreachable); the next round tries again. */
  error: [error: unknown];
}

// KEYS[1] workers; ARGV[1] worker id, ARGV[2] ttl ms. Beats and prunes; returns the live count.
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return redis.call('ZCARD', KEYS[1])`;

export class AccountBalancer extends EventEmitter<AccountBalancerEvents> {
  private readonly redis: Redis;
  private readonly workerId: string;
  private readonly accountIds: readonly string[];
  private readonly ttlMs: number;
  private readonly intervalMs: number;
  private readonly drain: (accountId: string) => Promise<void>;
  private readonly keys: ClusterKeys;
  private readonly clock: Clock;
  private readonly leases = new Map<string, AccountLease>();
  private readonly life = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(options: AccountBalancerOptions) {
    super();
    this.redis = options.redis;
    this.workerId = options.workerId;
    this.accountIds = [...options.accountIds];
    this.ttlMs = options.ttlMs ?? 15_000;
    this.intervalMs = options.intervalMs ?? 2_000;
    this.drain = options.drain ?? (async () => undefined);
    this.keys = options.keys ?? clusterKeys();
    this.clock = options.clock ?? backgroundClock;
  }

  /** The accounts this worker holds now. */
  get held(): string[] {
    return [...this.leases.keys()];
  }

  lease(accountId: string): AccountLease | undefined {
    return this.leases.get(accountId);
  }

  /** Runs the first round now, then one every interval until `stop()`. */
  async start(): Promise<void> {
    await this.round();
    this.loop = this.run();
  }

  /** One round (exposed for tests and for a prompt rebalance after a change). */
  async round(): Promise<void> {
    try {
      const live = Number(
        await this.redis.eval(HEARTBEAT, 1, this.keys.workers(), this.workerId, this.ttlMs),
      );
      const share = Math.ceil(this.accountIds.length / Math.max(1, live));
      for (const [accountId, lease] of this.leases) {
        if (!lease.held) this.forget(accountId, 'lost');
      }
      if (this.leases.size > share) await this.shed(this.held[this.held.length - 1] as string);
      await this.takeUpTo(share);
    } catch (error) {
      this.emit('error', error);
    }
  }

  /** Hands every account back and leaves the workers set (SIGTERM). */
  async stop(): Promise<void> {
    this.life.abort();
    await this.loop;
    for (const [accountId, lease] of this.leases) {
      await lease.release();
      this.forget(accountId, 'stopped');
    }
    await this.redis.zrem(this.keys.workers(), this.workerId).catch(() => 0);
  }

  private async takeUpTo(share: number): Promise<void> {
    const n = this.accountIds.length;
    const offset = n === 0 ? 0 : hash(this.workerId) % n;
    for (let i = 0; i < n && this.leases.size < share; i++) {
      const accountId = this.accountIds[(offset + i) % n] as string;
      if (this.leases.has(accountId)) continue;
      const lease = await AccountLease.acquire({
        redis: this.redis,
        accountId,
        owner: this.workerId,
        ttlMs: this.ttlMs,
        keys: this.keys,
        clock: this.clock,
      });
      if (!lease) continue;
      this.leases.set(accountId, lease);
      lease.once('lost', () => this.forget(accountId, 'lost'));
      this.emit('acquired', lease);
    }
  }

  private async shed(accountId: string): Promise<void> {
    await this.drain(accountId);
    const lease = this.leases.get(accountId);
    if (!lease) return;
    await lease.release();
    this.forget(accountId, 'shed');
  }

  private forget(accountId: string, reason: 'lost' | 'shed' | 'stopped'): void {
    if (!this.leases.delete(accountId)) return;
    this.emit('released', accountId, reason);
  }

  private async run(): Promise<void> {
    while (!this.life.signal.aborted) {
      try {
        await this.clock.sleep(this.intervalMs, this.life.signal);
      } catch {
        return;
      }
      await this.round();
    }
  }
}

/** A small stable string hash (FNV-1a), to spread workers' starting points over the accounts. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
