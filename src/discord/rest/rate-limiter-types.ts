/** The RateLimiter's public shapes: permits, events and the stats snapshot. */
import type { CloudflareBanSnapshot } from './cloudflare-ban.js';
import type { RateLimitScope } from './headers.js';
import type { ResponseInfo, ResponseVerdict } from './response-verdict.js';
import type { Route } from './routes.js';

export interface AcquireOptions {
  /** Aborting while queued removes the request from the queue at once and rejects with the reason. */
  signal?: AbortSignal | undefined;
  /**
   * Reuse a previous permit's `sequence` to keep that place in FIFO order: a retry goes before
   * requests that arrived after the original.
   */
  sequence?: number | undefined;
  /**
   * May be granted before older requests that are not urgent, once the token-wide gates and its
   * own route allow it (FIFO among urgent ones): for reads that settle jobs already paid for (a
   * channel's poll), which should not queue behind a new job's send. Never twice in a row, so a
   * steady stream of urgent requests cannot starve the others: the oldest request gets at least
   * every other start. The spacing between any two requests is unchanged. Default false.
   */
  urgent?: boolean | undefined;
}

/** The right to send one request now. Report what happened exactly once. */
export interface Permit {
  readonly route: Route;
  /** FIFO position; pass it back in `acquire` to keep the place on a retry. */
  readonly sequence: number;
  /** When the permit was granted (clock ms): the request's start. */
  readonly grantedAt: number;
  /**
   * The transport will say when the request actually leaves (`sent`): until then no other request
   * starts, and the next one starts the spacing after that moment rather than after the grant. A
   * request that first has to open a connection (TCP, TLS) leaves later than it was granted;
   * spaced from the grant alone, the next one could reach Discord less than the spacing after it.
   * `complete` or `fail` also end the wait. Transports that cannot tell (a mock) never call it.
   */
  awaitSend(): void;
  /** The request's headers were written to the socket now (see `awaitSend`). */
  sent(): void;
  /** A response arrived: the limiter learns from its headers and says what it means. */
  complete(response: ResponseInfo): ResponseVerdict;
  /** No response (network error, timeout, abort): frees the bucket without learning anything. */
  fail(): void;
}

export interface RequestEvent {
  route: string;
  sequence: number;
  /** The bucket key the request counted against. */
  bucket: string;
  /** Ms between acquire and grant. */
  queuedMs: number;
  grantedAt: number;
}

export interface ResponseEvent {
  route: string;
  status: number;
  bucket: string;
  /** Ms between grant and response. */
  durationMs: number;
  remaining: number | undefined;
  resetAfterMs: number | undefined;
}

export interface RateLimitedEvent {
  route: string;
  scope: RateLimitScope | 'cloudflare';
  global: boolean;
  /** A 429 while the bucket had requests left: only this route is parked. */
  sublimit: boolean;
  retryAfterMs: number;
  bucket: string | undefined;
  at: number;
}

/** `protocol`: a 2xx whose body was not the endpoint's shape (truncated JSON...), retried for GETs. */
export type RetryReason = 'rate-limit' | 'server-error' | 'network' | 'timeout' | 'protocol';

export interface RetryEvent {
  route: string;
  /** The attempt that failed (1 = the first send). */
  attempt: number;
  reason: RetryReason;
  /** Ms the client waits before queueing again (0 for a 429: the limiter does the waiting). */
  delayMs: number;
  /** HTTP status or error code of the failure. */
  detail: string;
}

export interface InvalidRequestWarningEvent {
  count: number;
  threshold: number;
  windowMs: number;
}

/** Typed event map (eventemitter3). */
export interface RateLimiterEvents {
  request: [event: RequestEvent];
  response: [event: ResponseEvent];
  rateLimited: [event: RateLimitedEvent];
  retry: [event: RetryEvent];
  invalidRequestWarning: [event: InvalidRequestWarningEvent];
  debug: [message: string];
}

export interface BucketSnapshot {
  key: string;
  hash: string | undefined;
  limit: number | undefined;
  remaining: number | undefined;
  /** Ms until reset; 0 when not limited. */
  resetInMs: number;
  parkedForMs: number;
  inFlight: number;
}

export interface RateLimiterStats {
  /** Requests waiting for a permit. */
  queueDepth: number;
  inFlight: number;
  /** Routes remembered (bounded by the sweep). */
  routes: number;
  buckets: BucketSnapshot[];
  global: {
    limitPerSecond: number;
    /** Grants in the last second. */
    usedInWindow: number;
    /** Ms left of a global 429 pause; 0 when none. */
    pausedForMs: number;
    minSpacingMs: number;
    /** Ms until the spacing allows the next start. */
    nextStartInMs: number;
  };
  blocked: {
    tokenInvalid: boolean;
    /** Ms left of a Cloudflare cooldown; 0 when none. */
    cloudflareForMs: number;
    /** The Cloudflare ban state: until when, how many in a row, the last Retry-After and pause. */
    cloudflare: CloudflareBanSnapshot;
    /** Ms until the invalid-request window allows again; 0 when open. */
    invalidRequestsForMs: number;
  };
  totals: {
    requests: number;
    responses: number;
    retries: number;
    rateLimited: Record<RateLimitScope | 'cloudflare', number>;
    invalidRequestsInWindow: number;
  };
  last429: RateLimitedEvent | null;
}
