/**
 * The limiter's memory: what it knows about each route (its learned bucket hash, a sublimit park,
 * its queue) and each bucket (limit, remaining, reset). Buckets are keyed `hash:major` once the
 * hash is known (same hash + different major parameter = independent limits), `route:<key>`
 * before. Both maps are in least-recently-used order and bounded: idle entries are swept.
 */
import type { Route } from './routes.js';

export interface BucketState {
  readonly key: string;
  readonly hash: string | undefined;
  limit: number | undefined;
  remaining: number | undefined;
  /** When `remaining` refills (clock ms); 0 when unknown. */
  resetAt: number;
  /** A shared-scope 429 parks the whole bucket until then. */
  parkedUntil: number;
  inFlight: number;
  lastUsed: number;
}

export interface RouteState<W> {
  readonly route: Route;
  /** The `X-RateLimit-Bucket` hash last seen for this route. */
  hash: string | undefined;
  /** A sublimit 429 (remaining > 0) parks only this route until then. */
  parkedUntil: number;
  /** Waiting acquirers, in sequence order. */
  readonly queue: W[];
  lastUsed: number;
}

/** How many old entries one insertion may inspect to stay under `maxBuckets`. */
const EVICTION_SCAN = 32;

export class BucketTable<W> {
  readonly routes = new Map<string, RouteState<W>>();
  readonly buckets = new Map<string, BucketState>();

  constructor(private readonly maxEntries: number) {}

  /** The route's state, created on first use. */
  route(route: Route, now: number): RouteState<W> {
    let state = this.routes.get(route.key);
    if (state === undefined) {
      state = { route, hash: undefined, parkedUntil: 0, queue: [], lastUsed: now };
      this.routes.set(route.key, state);
      if (this.routes.size > this.maxEntries)
        this.evict(this.routes, route.key, (r) => this.routeIdle(r, now, evictable));
    }
    return state;
  }

  /** The bucket a route's requests currently count against, created on first use. */
  bucketOf(route: RouteState<W>, now: number): BucketState {
    const key = route.hash === undefined ? `route:${route.route.key}` : `${route.hash}:${route.route.major}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = {
        key,
        hash: route.hash,
        limit: undefined,
        remaining: undefined,
        resetAt: 0,
        parkedUntil: 0,
        inFlight: 0,
        lastUsed: now,
      };
      this.buckets.set(key, bucket);
      if (this.buckets.size > this.maxEntries) this.evict(this.buckets, key, (b) => evictable(b, now));
    }
    return bucket;
  }

  /** Moves an entry to the most-recently-used end. */
  touch(route: RouteState<W>, bucket: BucketState, now: number): void {
    route.lastUsed = now;
    bucket.lastUsed = now;
    this.routes.delete(route.route.key);
    this.routes.set(route.route.key, route);
    this.buckets.delete(bucket.key);
    this.buckets.set(bucket.key, bucket);
  }

  /** Forgets routes and buckets unused for `idleMs` that hold no state still in force. */
  sweep(now: number, idleMs: number): number {
    let removed = 0;
    for (const [key, route] of this.routes) {
      if (now - route.lastUsed < idleMs) break; // LRU order: the rest are newer
      if (this.routeIdle(route, now, bucketIdle)) {
        this.routes.delete(key);
        removed += 1;
      }
    }
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.lastUsed < idleMs) break;
      if (bucketIdle(bucket, now)) {
        this.buckets.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  private routeIdle(
    route: RouteState<W>,
    now: number,
    idle: (bucket: BucketState, now: number) => boolean,
  ): boolean {
    if (route.queue.length > 0 || route.parkedUntil > now) return false;
    // Keep the hash mapping while its bucket is limited, or the next request would bypass it.
    const key = route.hash === undefined ? `route:${route.route.key}` : `${route.hash}:${route.route.major}`;
    const bucket = this.buckets.get(key);
    return bucket === undefined || idle(bucket, now);
  }

  /** Drops the least recently used idle entry other than `keep` (the one just inserted). */
  private evict<V>(map: Map<string, V>, keep: string, idle: (value: V) => boolean): void {
    let scanned = 0;
    for (const [key, value] of map) {
      if (scanned++ >= EVICTION_SCAN) return;
      if (key !== keep && idle(value)) {
        map.delete(key);
        return;
      }
    }
  }
}

/** A bucket with nothing in flight and no limit in force is the same as a fresh one. */
export function bucketIdle(bucket: BucketState, now: number): boolean {
  return bucket.inFlight === 0 && bucket.parkedUntil <= now && bucket.resetAt <= now;
}

/**
 * Under the size cap, a bucket that still has requests left may go too: forgetting its count
 * risks at worst one 429 (handled), while an exhausted or parked bucket must stay or the next
 * request would run straight into the limit.
 */
export function evictable(bucket: BucketState, now: number): boolean {
  return (
    bucket.inFlight === 0 &&
    bucket.parkedUntil <= now &&
    (bucket.resetAt <= now || (bucket.remaining !== undefined && bucket.remaining > 0))
  );
}
