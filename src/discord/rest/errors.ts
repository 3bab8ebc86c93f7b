/**
 * The Discord transport's errors. Each has a literal `name`, a stable `code`, and the facts a
 * caller acts on as properties. None carries the token: messages and causes are redacted where
 * the error is built (see `redactError` in client), and no request headers are kept.
 */
import { WorkerError } from '../../errors.js';
import type { RateLimitScope } from './headers.js';

/** Server failures worth another try with backoff: the server failed, the request was sound. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** Where a failed request was going; every transport error carries it. */
export interface RequestContext {
  /** HTTP method, upper case. */
  method: string;
  /** The path as sent, with webhook/interaction tokens replaced (e.g. `/channels/123/messages`). */
  route: string;
  /** How many times the request was sent (or tried) before this error was thrown. */
  attempts: number;
}

/** Discord answered with a JSON error body (4xx, or a 5xx that carried JSON). */
export class DiscordAPIError extends WorkerError {
  override readonly name = 'DiscordAPIError';
  readonly code = 'DISCORD_API_ERROR';
  readonly method: string;
  readonly route: string;
  readonly attempts: number;
  /**
   * True when a non-idempotent request (POST /interactions) failed with a 5xx after reaching
   * Discord: it may have taken effect, so it is not retried and the caller must check first.
   */
  readonly ambiguous: boolean;

  /** Discord's nested `errors` tree flattened to `field: message` lines. */
  readonly fieldErrors: readonly string[];

  constructor(
    context: RequestContext,
    /** HTTP status. */
    readonly status: number,
    /** Discord's numeric JSON error code (50035 Invalid Form Body, 10008 Unknown Message...). */
    readonly discordCode: number,
    /** Discord's message, e.g. "Invalid Form Body". */
    readonly discordMessage: string,
    /**
     * The same tree as structured entries, with Discord's string codes
     * (e.g. `INTERACTION_APPLICATION_COMMAND_INVALID_VERSION` for a stale command version).
     */
    readonly issues: readonly FieldIssue[] = [],
    ambiguous = false,
  ) {
    const fieldErrors = issues.map((issue) => `${issue.field}: ${issue.message}`);
    const head = `[${discordCode}] ${context.method} ${context.route}: ${discordMessage}`;
    super(fieldErrors.length > 0 ? `${head}\n  ${fieldErrors.join('\n  ')}` : head, {
      // A 5xx with a JSON body is a server failure like any other; a 4xx is permanent.
      retryable: !ambiguous && RETRYABLE_STATUSES.has(status),
    });
    this.fieldErrors = fieldErrors;
    this.method = context.method;
    this.route = context.route;
    this.attempts = context.attempts;
    this.ambiguous = ambiguous;
  }
}

/** One leaf of Discord's `errors` tree. */
export interface FieldIssue {
  /** Dotted path with array indexes: `data.options[0].value`; `(body)` for top-level errors. */
  field: string;
  /** Discord's string code, e.g. `BASE_TYPE_REQUIRED`. */
  code: string;
  message: string;
}

/** A non-2xx answer without a Discord JSON body (typically a 5xx from a proxy). */
export class DiscordHTTPError extends WorkerError {
  override readonly name = 'DiscordHTTPError';
  readonly code = 'DISCORD_HTTP_ERROR';
  readonly method: string;
  readonly route: string;
  readonly attempts: number;
  /** See DiscordAPIError.ambiguous. */
  readonly ambiguous: boolean;

  constructor(
    context: RequestContext,
    readonly status: number,
    /** The first 200 characters of the body, for diagnosis. */
    readonly bodySnippet: string,
    ambiguous = false,
  ) {
    super(`HTTP ${status} on ${context.method} ${context.route}`, {
      retryable: !ambiguous && RETRYABLE_STATUSES.has(status),
    });
    this.method = context.method;
    this.route = context.route;
    this.attempts = context.attempts;
    this.ambiguous = ambiguous;
  }
}

/** The connection failed: refused, reset, DNS, TLS. `cause` holds the (redacted) original. */
export class DiscordNetworkError extends WorkerError {
  override readonly name = 'DiscordNetworkError';
  readonly code = 'DISCORD_NETWORK_ERROR';
  readonly method: string;
  readonly route: string;
  readonly attempts: number;

  constructor(
    context: RequestContext,
    /** The system or undici error code (ECONNREFUSED, UND_ERR_SOCKET...), when there is one. */
    readonly errorCode: string | undefined,
    /** False when the failure happened before anything was written (connect errors). */
    readonly sent: boolean,
    /** True when a non-idempotent request may have reached Discord: not retried, check first. */
    readonly ambiguous: boolean,
    cause: unknown,
    causeMessage: string,
  ) {
    super(
      `${context.method} ${context.route} failed: ${causeMessage}${ambiguous ? ' (may have been sent)' : ''}`,
      {
        cause,
        retryable: !ambiguous,
      },
    );
    this.method = context.method;
    this.route = context.route;
    this.attempts = context.attempts;
  }
}

/** No answer within the per-call timeout. */
export class DiscordTimeoutError extends WorkerError {
  override readonly name = 'DiscordTimeoutError';
  readonly code = 'DISCORD_TIMEOUT';
  readonly method: string;
  readonly route: string;
  readonly attempts: number;

  constructor(
    context: RequestContext,
    readonly timeoutMs: number,
    /** True when a non-idempotent request may have reached Discord: not retried, check first. */
    readonly ambiguous: boolean,
  ) {
    super(
      `${context.method} ${context.route} timed out after ${timeoutMs} ms${ambiguous ? ' (may have been sent)' : ''}`,
      { retryable: !ambiguous },
    );
    this.method = context.method;
    this.route = context.route;
    this.attempts = context.attempts;
  }
}

/**
 * A 2xx answer whose body is not what the endpoint returns: not JSON (truncated, an HTML page from
 * a proxy), or JSON of the wrong shape (a string where the message list belongs, a message without
 * an id). Nothing of it is used. A GET is retried with backoff like a 5xx; a POST that got one
 * reached Discord and may have taken effect, so it is `ambiguous` and not retried (check first).
 */
export class DiscordProtocolError extends WorkerError {
  override readonly name = 'DiscordProtocolError';
  readonly code = 'DISCORD_PROTOCOL_ERROR';
  readonly method: string;
  readonly route: string;
  readonly attempts: number;
  /** See DiscordAPIError.ambiguous. */
  readonly ambiguous: boolean;

  constructor(
    context: RequestContext,
    /** HTTP status of the answer (2xx). */
    readonly status: number,
    /** What was wrong, with the JSON path: `[3].author.id: expected a snowflake string, got number`. */
    readonly problem: string,
    /** The first 200 characters of the body, for diagnosis. */
    readonly bodySnippet: string,
    ambiguous = false,
  ) {
    super(
      `malformed ${status} answer to ${context.method} ${context.route}: ${problem}${ambiguous ? ' (may have taken effect)' : ''}`,
      { retryable: !ambiguous },
    );
    this.method = context.method;
    this.route = context.route;
    this.attempts = context.attempts;
    this.ambiguous = ambiguous;
  }
}

/** Facts of a Discord 429. */
export interface RateLimitFacts {
  /** How long Discord asked to wait, in ms (body `retry_after`, else the header). */
  retryAfterMs: number;
  global: boolean;
  scope: RateLimitScope;
  /** The `X-RateLimit-Bucket` hash, when sent. */
  bucket: string | undefined;
}

/** A 429 that was not (or no longer) retried: the retry count or total wait budget ran out. */
export class RateLimitedError extends WorkerError {
  override readonly name = 'RateLimitedError';
  readonly code = 'RATE_LIMITED';
  readonly method: string;
  readonly route: string;
  readonly attempts: number;
  readonly retryAfterMs: number;
  readonly global: boolean;
  readonly scope: RateLimitScope;
  readonly bucket: string | undefined;

  constructor(context: RequestContext, facts: RateLimitFacts) {
    super(
      `429 on ${context.method} ${context.route}: retry after ${facts.retryAfterMs} ms (scope ${facts.scope}${facts.global ? ', global' : ''}) after ${context.attempts} attempt(s)`,
      { retryable: true },
    );
    this.method = context.method;
    this.route = context.route;
    this.attempts = context.attempts;
    this.retryAfterMs = facts.retryAfterMs;
    this.global = facts.global;
    this.scope = facts.scope;
    this.bucket = facts.bucket;
  }
}

/** Discord answered 401: the token is wrong or revoked. Every later request fails fast with this. */
export class TokenInvalidError extends WorkerError {
  override readonly name = 'TokenInvalidError';
  readonly code = 'TOKEN_INVALID';

  constructor(
    /** The request that got the 401, or the one refused because an earlier request did. */
    readonly route: string,
  ) {
    super(`Discord rejected the token (401) on ${route}; no further request is sent with it`, {
      retryable: false,
    });
  }
}

/**
 * A 429 that did not come from Discord's API (no JSON body or no `Via` header): Cloudflare is
 * refusing this IP, usually after too many invalid requests. Nothing is sent until the cooldown
 * ends; retrying into it would extend the ban.
 */
export class CloudflareBanError extends WorkerError {
  override readonly name = 'CloudflareBanError';
  readonly code = 'CLOUDFLARE_BLOCKED';

  constructor(
    readonly route: string,
    /** Ms until the limiter lets requests through again. */
    readonly retryAfterMs: number,
  ) {
    super(
      `Cloudflare refused ${route} (429 without Discord's body or Via header); requests paused for ${Math.ceil(retryAfterMs / 1000)} s`,
      { retryable: false },
    );
  }
}

/**
 * Too many 401/403/429 answers in Discord's 10-minute window: the limiter stops sending before
 * Cloudflare bans the IP for 24 hours.
 */
export class InvalidRequestLimitError extends WorkerError {
  override readonly name = 'InvalidRequestLimitError';
  readonly code = 'INVALID_REQUEST_LIMIT';

  constructor(
    readonly route: string,
    /** Invalid responses counted in the window. */
    readonly count: number,
    readonly threshold: number,
    /** Ms until the window drops under the threshold again. */
    readonly retryAfterMs: number,
  ) {
    super(
      `${route} refused: ${count} invalid responses (401/403/429) in the last 10 minutes reached the limit of ${threshold}; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      { retryable: true },
    );
  }
}

export function isDiscordAPIError(value: unknown): value is DiscordAPIError {
  return value instanceof DiscordAPIError;
}
export function isDiscordHTTPError(value: unknown): value is DiscordHTTPError {
  return value instanceof DiscordHTTPError;
}
export function isDiscordNetworkError(value: unknown): value is DiscordNetworkError {
  return value instanceof DiscordNetworkError;
}
export function isDiscordTimeoutError(value: unknown): value is DiscordTimeoutError {
  return value instanceof DiscordTimeoutError;
}
export function isRateLimitedError(value: unknown): value is RateLimitedError {
  return value instanceof RateLimitedError;
}
export function isTokenInvalidError(value: unknown): value is TokenInvalidError {
  return value instanceof TokenInvalidError;
}
export function isDiscordProtocolError(value: unknown): value is DiscordProtocolError {
  return value instanceof DiscordProtocolError;
}
export function isCloudflareBanError(value: unknown): value is CloudflareBanError {
  return value instanceof CloudflareBanError;
}
export function isInvalidRequestLimitError(value: unknown): value is InvalidRequestLimitError {
  return value instanceof InvalidRequestLimitError;
}

/**
 * True when the request may have reached Discord and was deliberately not retried (a POST that
 * timed out, was reset after sending, got a 5xx, or got a malformed 2xx). Before sending it again, check the channel
 * for its effect: a blind retry could start a duplicate paid job.
 */
export function isAmbiguousSubmission(value: unknown): boolean {
  return (
    (value instanceof DiscordNetworkError ||
      value instanceof DiscordTimeoutError ||
      value instanceof DiscordHTTPError ||
      value instanceof DiscordAPIError ||
      value instanceof DiscordProtocolError) &&
    value.ambiguous
  );
}
