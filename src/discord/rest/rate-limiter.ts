/**
 * The one RateLimiter per token. Separate from HTTP, like twilight's: `acquire(route)` waits for a
 * permit, the caller sends, then reports the response with `permit.complete()` (or `fail()`).
 *
 * It is an actor: every producer (acquire, complete, fail, abort, the wake timer) mutates state
 * synchronously and then runs the single consumer, `drain()`, which grants permits in FIFO order
 * by sequence (an urgent request may go first, never twice in a row: see `AcquireOptions.urgent`),
 * skipping only requests whose own route or bucket is held back. One timer at most
 * wakes it for the earliest moment something can change. Rules enforced, in order:
 * refusals (401 seen, Cloudflare cooldown, invalid-request limit), global 429 pause, minimum
 * spacing between starts, the global per-second limit, then per route/bucket limits (one request
 * in flight per bucket, exhausted buckets wait for their reset, parked routes and buckets).
 * https://discord.com/developers/docs/topics/rate-limits
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../../util/clock.js';
import { type BucketState, BucketTable, type RouteState } from './bucket-table.js';
import { GrantedPermit } from './granted-permit.js';
import { type RateLimiterOptions, resolveRateLimiterOptions } from './rate-limiter-options.js';
import type {
  AcquireOptions,
  Permit,
  RateLimitedEvent,
  RateLimiterEvents,
  RateLimiterStats,
  RetryEvent,
} from './rate-limiter-types.js';
import { classifyResponse, type ResponseInfo, type ResponseVerdict } from './response-verdict.js';
import type { Route } from './routes.js';
import { SendGuards } from './send-guards.js';
import { TimestampWindow } from './timestamp-window.js';

/** Remaining 0 without any reset header: retry after this rather than never (a stalled bucket). */
const MISSING_RESET_MS = 1_000;
/**
 * Remaining 0 with a reset that is now or past by our clock (an `X-RateLimit-Reset` epoch from a
 * clock ahead of Discord's): wait this little rather than zero, so the bucket is not hammered.
 */
const MIN_EXHAUSTED_WAIT_MS = 100;
/** No header-given reset holds a bucket longer than this: a garbage `Reset-After` never stalls it for good. */
const MAX_BUCKET_RESET_MS = 3_600_000;
const GLOBAL_WINDOW_MS = 1_000;

interface Waiter {
  readonly sequence: number;
  readonly urgent: boolean;
  readonly state: RouteState<Waiter>;
  readonly enqueuedAt: number;
  readonly resolve: (permit: Permit) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class RateLimiter extends EventEmitter<RateLimiterEvents> {
  readonly options: Readonly<RateLimiterOptions>;
  private readonly clock: Clock;
  private readonly table: BucketTable<Waiter>;
  /** Routes that have waiters: the only ones drain() looks at. */
  private readonly active = new Set<RouteState<Waiter>>();
  private readonly globalWindow = new TimestampWindow(GLOBAL_WINDOW_MS);
  private readonly guards: SendGuards;
  private nextSequence = 1;
  private lastStart = Number.NEGATIVE_INFINITY;
  private globalPausedUntil = 0;
  private queued = 0;
  /** Granted requests that have not left yet (`Permit.awaitSend`): nothing else starts meanwhile. */
  private readonly unsent = new Set<GrantedPermit<Waiter>>();
  /** The last start was an urgent request ahead of an older one (see `drainOnce`). */
  private overtook = false;
  private inFlight = 0;
  private lastSweep: number;
  private wake: { at: number; controller: AbortController } | undefined;
  private draining = false;
  private drainAgain = false;
  private readonly totals = {
    requests: 0,
    responses: 0,
    retries: 0,
    rateLimited: { user: 0, global: 0, shared: 0, cloudflare: 0 },
  };
  private last429: RateLimitedEvent | null = null;

  constructor(options: Partial<RateLimiterOptions> = {}) {
    super();
    this.options = Object.freeze(resolveRateLimiterOptions(options));
    this.clock = this.options.clock;
    this.table = new BucketTable(this.options.maxBuckets);
    this.guards = new SendGuards(this.options, (event) => this.emit('invalidRequestWarning', event));
    this.lastSweep = this.clock.now();
  }

  /** Waits for the right to send one request to `route`. Report the outcome on the permit. */
  acquire(route: Route, options: AcquireOptions = {}): Promise<Permit> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = this.clock.now();
    const refusal = this.guards.refusal(route, now);
    if (refusal !== undefined) return Promise.reject(refusal);
    return new Promise<Permit>((resolve, reject) => {
      const state = this.table.route(route, now);
      const waiter: Waiter = {
        sequence: options.sequence ?? this.nextSequence++,
        urgent: options.urgent === true,
        state,
        enqueuedAt: now,
        resolve,
        reject,
        signal,
        onAbort: undefined,
      };
      if (signal !== undefined) {
        waiter.onAbort = () => this.cancel(waiter, signal.reason);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      insertBySequence(state.queue, waiter);
      this.active.add(state);
      this.queued += 1;
      this.drain();
    });
  }

  /** Counts a retry decided by the transport and tells listeners. */
  recordRetry(event: RetryEvent): void {
    this.totals.retries += 1;
    this.emit('retry', event);
  }

  stats(): RateLimiterStats {
    const now = this.clock.now();
    const { invalidRequestsInWindow, ...blocked } = this.guards.snapshot(now);
    const buckets = [...this.table.buckets.values()].map((b) => ({
      key: b.key,
      hash: b.hash,
      limit: b.limit,
      remaining: b.remaining,
      resetInMs: Math.max(0, b.resetAt - now),
      parkedForMs: Math.max(0, b.parkedUntil - now),
      inFlight: b.inFlight,
    }));
    return {
      queueDepth: this.queued,
      inFlight: this.inFlight,
      routes: this.table.routes.size,
      buckets,
      global: {
        limitPerSecond: this.options.globalLimitPerSecond,
        usedInWindow: this.globalWindow.count(now),
        pausedForMs: Math.max(0, this.globalPausedUntil - now),
        minSpacingMs: this.options.minSpacingMs,
        nextStartInMs: Math.max(0, this.lastStart + this.options.minSpacingMs - now),
      },
      blocked: { ...blocked, cloudflare: { ...blocked.cloudflare } },
      totals: { ...this.totals, rateLimited: { ...this.totals.rateLimited }, invalidRequestsInWindow },
      last429: this.last429 && { ...this.last429 },
    };
  }

  private cancel(waiter: Waiter, reason: unknown): void {
    const queue = waiter.state.queue;
    const index = queue.indexOf(waiter);
    if (index < 0) return;
    queue.splice(index, 1);
    if (queue.length === 0) this.active.delete(waiter.state);
    this.queued -= 1;
    waiter.reject(reason);
    this.drain();
  }

  /** The consumer. Re-entrant calls (from event listeners) run again after the current pass. */
  private drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        this.drainOnce();
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
  }

  private drainOnce(): void {
    const now = this.clock.now();
    if (now - this.lastSweep >= this.options.sweepIntervalMs) {
      this.lastSweep = now;
      const removed = this.table.sweep(now, this.options.idleSweepMs);
      if (removed > 0) this.debug(() => `swept ${removed} idle routes/buckets`);
    }
    if (this.queued === 0) {
      this.cancelWake();
      return;
    }
    for (;;) {
      if (this.rejectAllIfBlocked(now)) return;
      const gateAt = this.gateOpensAt(now);
      if (gateAt > now) {
        this.scheduleWake(gateAt);
        return;
      }
      let oldest: Waiter | undefined;
      let urgent: Waiter | undefined;
      let wakeAt = Number.POSITIVE_INFINITY;
      for (const state of this.active) {
        const head = state.queue[0]!;
        const readyAt = this.readyAt(state, this.table.bucketOf(state, now), now);
        if (readyAt <= now) {
          if (oldest === undefined || head.sequence < oldest.sequence) oldest = head;
          if (head.urgent && (urgent === undefined || head.sequence < urgent.sequence)) urgent = head;
        } else if (readyAt < wakeAt) {
          wakeAt = readyAt;
        }
      }
      if (oldest === undefined) {
        // Buckets busy in flight have no time: complete()/fail() wakes us.
        this.scheduleWake(wakeAt);
        return;
      }
      // An urgent request overtakes older ones, but never twice in a row: however many urgent
      // requests keep coming, the oldest request gets at least every other start.
      const overtake = urgent !== undefined && urgent !== oldest && !this.overtook;
      this.overtook = overtake;
      this.grant(overtake && urgent ? urgent : oldest, now);
      if (this.queued === 0) {
        this.cancelWake();
        return;
      }
    }
  }

  /** Rejects every queued request when sending is refused; true when it did. */
  private rejectAllIfBlocked(now: number): boolean {
    if (!this.guards.blocked(now)) return false;
    for (const state of this.active) {
      for (const waiter of state.queue.splice(0)) {
        if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.reject(this.guards.refusal(state.route, now));
      }
    }
    this.active.clear();
    this.queued = 0;
    this.cancelWake();
    return true;
  }

  /** When the token-wide gates (global pause, spacing, per-second limit) next allow a start. */
  private gateOpensAt(now: number): number {
    // A request still on its way out: its `sent` (or settling) opens the gate again.
    if (this.unsent.size > 0) return Number.POSITIVE_INFINITY;
    let at = Math.max(this.globalPausedUntil, this.lastStart + this.options.minSpacingMs);
    if (this.globalWindow.count(now) >= this.options.globalLimitPerSecond) {
      at = Math.max(at, this.globalWindow.nextExpiry(now) ?? now);
    }
    return at;
  }

  /** When this route's next request may start: <= now means now; +Infinity means after an in-flight one. */
  private readyAt(state: RouteState<Waiter>, bucket: BucketState, now: number): number {
    // One request in flight per bucket: its response tells us what the next may do.
    if (bucket.inFlight > 0) return Number.POSITIVE_INFINITY;
    let at = Math.max(state.parkedUntil, bucket.parkedUntil);
    if (bucket.remaining === 0 && bucket.resetAt > now) at = Math.max(at, bucket.resetAt);
    return at;
  }

  private grant(waiter: Waiter, now: number): void {
    const state = waiter.state;
    state.queue.shift();
    if (state.queue.length === 0) this.active.delete(state);
    this.queued -= 1;
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);

    const bucket = this.table.bucketOf(state, now);
    if (bucket.remaining === 0 && bucket.resetAt <= now) bucket.remaining = bucket.limit;
    if (bucket.remaining !== undefined && bucket.remaining > 0) bucket.remaining -= 1;
    bucket.inFlight += 1;
    this.table.touch(state, bucket, now);
    this.lastStart = now;
    this.globalWindow.record(now);
    this.inFlight += 1;
    this.totals.requests += 1;

    const permit = new GrantedPermit(state, bucket, waiter.sequence, now, {
      complete: (p, response) => this.onResponse(p, response),
      fail: (p) => this.onFail(p),
      sending: (p, waiting) => this.onSending(p, waiting),
    });
    waiter.resolve(permit);
    if (this.listenerCount('request') > 0) {
      this.emit('request', {
        route: state.route.key,
        sequence: waiter.sequence,
        bucket: bucket.key,
        queuedMs: now - waiter.enqueuedAt,
        grantedAt: now,
      });
    }
  }

  /** A permit's response arrived: learn from it, apply 429 rules, wake the queue. */
  private onResponse(permit: GrantedPermit<Waiter>, response: ResponseInfo): ResponseVerdict {
    const now = this.clock.now();
    const { state, bucket } = permit;
    bucket.inFlight -= 1;
    this.inFlight -= 1;
    this.totals.responses += 1;
    const verdict = classifyResponse(response, now);
    const headers = verdict.headers;

    let target = bucket;
    if (headers.bucket !== undefined) {
      if (headers.bucket !== state.hash) {
        const previous = state.hash;
        this.debug(() => `${state.route.key}: bucket ${previous ?? '(unknown)'} -> ${headers.bucket}`);
        state.hash = headers.bucket;
      }
      target = this.table.bucketOf(state, now);
      this.table.touch(state, target, now);
    }
    if (headers.limit !== undefined) target.limit = headers.limit;
    if (headers.remaining !== undefined) {
      target.remaining = headers.remaining;
      if (headers.remaining === 0) target.resetAt = now + exhaustedWaitMs(headers.resetAfterMs);
      else if (headers.resetAfterMs !== undefined)
        target.resetAt = now + Math.min(headers.resetAfterMs, MAX_BUCKET_RESET_MS);
    }

    const cloudflareCooldown = this.guards.record(response.status, verdict, now);
    if (verdict.kind === 'rate-limited') this.onRateLimited(state, target, verdict, now);
    else if (cloudflareCooldown !== undefined) {
      this.totals.rateLimited.cloudflare += 1;
      this.noteRateLimit({
        route: state.route.key,
        scope: 'cloudflare',
        global: true,
        sublimit: false,
        retryAfterMs: cloudflareCooldown,
        bucket: undefined,
        at: now,
      });
    }

    if (this.listenerCount('response') > 0) {
      this.emit('response', {
        route: state.route.key,
        status: response.status,
        bucket: target.key,
        durationMs: now - permit.grantedAt,
        remaining: headers.remaining,
        resetAfterMs: headers.resetAfterMs,
      });
    }
    this.drain();
    return cloudflareCooldown !== undefined && verdict.kind === 'cloudflare'
      ? { ...verdict, pauseMs: cloudflareCooldown }
      : verdict;
  }

  /**
   * A request that will say when it leaves holds every other start until it does (or settles);
   * once it left, the spacing counts from that moment (see `Permit.awaitSend`).
   */
  private onSending(permit: GrantedPermit<Waiter>, waiting: boolean): void {
    if (waiting) {
      this.unsent.add(permit);
      return;
    }
    if (!this.unsent.delete(permit)) return;
    this.lastStart = Math.max(this.lastStart, this.clock.now());
    this.drain();
  }

  /** A permit's request got no response: free its bucket, learn nothing. */
  private onFail(permit: GrantedPermit<Waiter>): void {
    permit.bucket.inFlight -= 1;
    this.inFlight -= 1;
    this.drain();
  }

  /** Applies a Discord 429 to the scope it names. */
  private onRateLimited(
    state: RouteState<Waiter>,
    bucket: BucketState,
    verdict: Extract<ResponseVerdict, { kind: 'rate-limited' }>,
    now: number,
  ): void {
    const until = now + verdict.retryAfterMs;
    if (verdict.global) this.globalPausedUntil = Math.max(this.globalPausedUntil, until);
    else if (verdict.scope === 'shared') bucket.parkedUntil = Math.max(bucket.parkedUntil, until);
    else if (verdict.sublimit) state.parkedUntil = Math.max(state.parkedUntil, until);
    else {
      bucket.remaining = 0;
      // retry_after is authoritative for this 429, over any Reset-After fallback applied above.
      bucket.resetAt = until;
    }
    this.totals.rateLimited[verdict.scope] += 1;
    this.noteRateLimit({
      route: state.route.key,
      scope: verdict.scope,
      global: verdict.global,
      sublimit: verdict.sublimit,
      retryAfterMs: verdict.retryAfterMs,
      bucket: verdict.headers.bucket,
      at: now,
    });
  }

  private noteRateLimit(event: RateLimitedEvent): void {
    this.last429 = event;
    this.emit('rateLimited', event);
  }

  private scheduleWake(at: number): void {
    if (!Number.isFinite(at)) return;
    if (this.wake !== undefined && this.wake.at <= at) return;
    this.cancelWake();
    const wake = { at, controller: new AbortController() };
    this.wake = wake;
    this.clock.sleep(Math.max(0, at - this.clock.now()), wake.controller.signal).then(
      () => {
        if (this.wake !== wake) return;
        this.wake = undefined;
        this.drain();
      },
      () => {},
    );
  }

  private cancelWake(): void {
    this.wake?.controller.abort();
    this.wake = undefined;
  }

  private debug(message: () => string): void {
    if (this.listenerCount('debug') > 0) this.emit('debug', message());
  }
}

/** How long an exhausted bucket waits: its reset, bounded to (0, 1 h]; 1 s when none was sent. */
export function exhaustedWaitMs(resetAfterMs: number | undefined): number {
  if (resetAfterMs === undefined) return MISSING_RESET_MS;
  return Math.min(MAX_BUCKET_RESET_MS, Math.max(MIN_EXHAUSTED_WAIT_MS, resetAfterMs));
}

/** Keeps a route queue sorted by sequence; new requests append, retries slot back in. */
function insertBySequence(queue: Waiter[], waiter: Waiter): void {
  let index = queue.length;
  while (index > 0 && queue[index - 1]!.sequence > waiter.sequence) index -= 1;
  queue.splice(index, 0, waiter);
}
