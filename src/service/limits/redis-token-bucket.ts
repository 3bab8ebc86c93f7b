/**
 * `RedisTokenBucket`: the per-client token bucket of a cluster, one bucket per key in Redis, shared
 * by every API node, so a key's limit holds cluster-wide (not once per node). Refill and take are
 * one Lua script on Redis's clock (`TIME`): atomic however many nodes ask at once, and no node's
 * clock is compared with another's. A bucket is a hash `{ tokens, ts }` that expires once it would
 * be full again (forgetting a full bucket changes nothing), so idle keys cost no memory.
 *
 * The refund policy is the in-process bucket's (refund-policy.ts): `refund` gives tokens back,
 * never beyond the capacity, and only to a bucket that exists.
 *
 * When Redis cannot answer, the node falls back to its own in-process bucket for that request
 * (the limit then holds per node, as without a cluster) rather than refusing every caller or
 * letting every request through; `fallbacks` counts those answers.
 */
import type { Redis } from 'ioredis';
import type { Clock } from '../../util/clock.js';
import type { ClientRateLimiter } from './client-limiter.js';
import { type TakeResult, TokenBucketLimiter, type TokenBucketStats } from './token-bucket.js';

// KEYS[1] bucket; ARGV[1] capacity, ARGV[2] refill per ms, ARGV[3] cost, ARGV[4] 'take'|'refund'.
// Returns {allowed 0|1, whole tokens left, ms to wait (0 when allowed)}.
const BUCKET = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
if ARGV[4] == 'refund' and not b[1] then return {1, math.floor(cap), 0} end
local tokens = tonumber(b[1]) or cap
local ts = tonumber(b[2]) or now
if now > ts then tokens = math.min(cap, tokens + (now - ts) * rate) end
local allowed, wait = 1, 0
if ARGV[4] == 'refund' then
  tokens = math.min(cap, tokens + cost)
elseif tokens + 1e-9 >= cost then
  tokens = math.max(0, tokens - cost)
else
  allowed = 0
  wait = math.max(1, math.ceil((cost - tokens) / rate - 1e-9))
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.9f', tokens), 'ts', string.format('%.3f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - tokens) / rate) + 1000)
return {allowed, math.floor(tokens + 1e-9), wait}`;

export interface RedisTokenBucketOptions {
  redis: Redis;
  /** Names the limit in its keys (`requests`, `submissions`): `<prefix>:limit:<name>:<key>`. */
  name: string;
  /** Key prefix (MJW_REDIS_PREFIX). Default `mjw`. */
  prefix?: string;
  /** Requests per window. Required. */
  requests: number;
  /** Window in ms. Required. */
  windowMs: number;
  /** Capacity; default `requests`. */
  burst?: number;
  /** The in-process fallback's idle time (TokenBucketLimiter). Default 10 min. */
  idleMs?: number;
  /** The in-process fallback's clock. */
  clock?: Clock;
}

export class RedisTokenBucket implements ClientRateLimiter {
  readonly capacity: number;
  readonly refillPerMs: number;
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private readonly local: TokenBucketLimiter;
  /** Keys this node saw limited at their last answer (for the stats; cluster-wide needs a scan). */
  private readonly limited = new Set<string>();
  private readonly seen = new Set<string>();
  private rejected = 0;
  /** Answers given by the in-process fallback because Redis could not answer. */
  fallbacks = 0;

  constructor(options: RedisTokenBucketOptions) {
    // The same validation and defaults as the in-process bucket, which is also the fallback.
    this.local = new TokenBucketLimiter({
      requests: options.requests,
      windowMs: options.windowMs,
      ...(options.burst === undefined ? {} : { burst: options.burst }),
      ...(options.idleMs === undefined ? {} : { idleMs: options.idleMs }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    this.capacity = this.local.capacity;
    this.refillPerMs = this.local.refillPerMs;
    this.redis = options.redis;
    this.keyPrefix = `${options.prefix ?? 'mjw'}:limit:${options.name}:`;
  }

  /** The Redis key of `key`'s bucket. */
  bucketKey(key: string): string {
    return `${this.keyPrefix}${key}`;
  }

  async take(key: string, cost = 1): Promise<TakeResult> {
    let answer: [number, number, number];
    try {
      answer = (await this.redis.eval(
        BUCKET,
        1,
        this.bucketKey(key),
        this.capacity,
        this.refillPerMs,
        cost,
        'take',
      )) as [number, number, number];
    } catch {
      this.fallbacks += 1;
      return this.local.take(key, cost);
    }
    const [allowed, remaining, wait] = answer.map(Number) as [number, number, number];
    this.track(key, remaining);
    if (allowed === 1) return { allowed: true, remaining };
    this.rejected += 1;
    return { allowed: false, remaining, retryAfterMs: wait };
  }

  async refund(key: string, cost = 1): Promise<void> {
    try {
      const [, remaining] = (await this.redis.eval(
        BUCKET,
        1,
        this.bucketKey(key),
        this.capacity,
        this.refillPerMs,
        cost,
        'refund',
      )) as [number, number];
      this.track(key, Number(remaining));
    } catch {
      this.local.refund(key, cost);
    }
  }

  stats(): TokenBucketStats {
    return { trackedKeys: this.seen.size, limitedKeys: this.limited.size, rejected: this.rejected };
  }

  close(): void {
    this.local.close();
  }

  private track(key: string, remaining: number): void {
    // Bounded: the stats follow at most this many keys (the buckets themselves live in Redis).
    if (this.seen.size < 100_000) this.seen.add(key);
    if (remaining < 1) this.limited.add(key);
    else this.limited.delete(key);
  }
}
