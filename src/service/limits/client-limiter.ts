/**
 * What the service asks of a per-client limiter: the in-process TokenBucketLimiter (one node), or
 * the RedisTokenBucket (every API node of a cluster shares each key's bucket). `take` and `refund`
 * may answer asynchronously; the service awaits them.
 */
import type { TakeResult, TokenBucketStats } from './token-bucket.js';

export interface ClientRateLimiter {
  /** Bucket capacity (the `X-RateLimit-Limit` header). */
  readonly capacity: number;
  /** Takes `cost` tokens from `key`'s bucket if it has them. */
  take(key: string, cost?: number): TakeResult | Promise<TakeResult>;
  /** Gives back tokens taken for a request that was then refused (refund-policy.ts). */
  refund(key: string, cost?: number): void | Promise<void>;
  stats(): TokenBucketStats;
  close(): void;
}
