/**
 * Errors of the HTTP service. Each maps to one HTTP status (`status`) and carries the facts a
 * client needs in its JSON body; the code is what clients switch on.
 */
import { WorkerError } from '../errors.js';

/** The family base: an error the service answers with `status` and `toJSON()` as the body. */
export abstract class ServiceError extends WorkerError {
  /** The HTTP status the service answers with. */
  abstract readonly status: number;
}

/** A request body, query or parameter failed validation; `problems` lists every one. */
export class RequestValidationError extends ServiceError {
  override readonly name = 'RequestValidationError';
  readonly code = 'VALIDATION_FAILED';
  readonly status = 400;
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid request (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join('; ')}`,
    );
  }
}

/**
 * A free-form JSON field (`metadata`) or the body as a whole goes over a bound: nested deeper
 * than `max` levels (`limit: "depth"`) or larger than `max` bytes of JSON (`limit: "bytes"`).
 */
export class FieldLimitError extends ServiceError {
  override readonly name = 'FieldLimitError';
  readonly code = 'FIELD_LIMIT_EXCEEDED';
  readonly status = 400;
  constructor(
    /** Where, e.g. `body.metadata` or `body`. */
    readonly field: string,
    readonly limit: 'depth' | 'bytes',
    readonly max: number,
  ) {
    super(
      limit === 'depth'
        ? `${field} is nested deeper than ${max} levels`
        : `${field} is larger than ${max} bytes of JSON`,
    );
  }
}

/**
 * The request itself is malformed before any route sees it: a path that is not valid
 * percent-encoding, a broken request line or header. Nothing of the request is echoed back.
 */
export class BadRequestError extends ServiceError {
  override readonly name = 'BadRequestError';
  readonly code = 'BAD_REQUEST';
  readonly status = 400;
}

/** The request URL (or one of its path parameters) is too long. */
export class UriTooLongError extends ServiceError {
  override readonly name = 'UriTooLongError';
  readonly code = 'URI_TOO_LONG';
  readonly status = 414;
  constructor() {
    super('The request URL is too long');
  }
}

/** The request headers (request line included) are over the server's size limit. */
export class HeadersTooLargeError extends ServiceError {
  override readonly name = 'HeadersTooLargeError';
  readonly code = 'HEADERS_TOO_LARGE';
  readonly status = 431;
  constructor() {
    super('The request headers are too large');
  }
}

/** The client did not send a whole request in time. */
export class RequestTimeoutError extends ServiceError {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'REQUEST_TIMEOUT';
  readonly status = 408;
  constructor() {
    super('The request was not received in time', { retryable: true });
  }
}

/** No API key, or one that matches none configured. */
export class AuthenticationError extends ServiceError {
  override readonly name = 'AuthenticationError';
  readonly code = 'UNAUTHORIZED';
  readonly status = 401;
}

/**
 * A client went over its token bucket. `retryAfter` is in milliseconds (the `Retry-After`
 * header carries it rounded up to whole seconds).
 */
export class RateLimitError extends ServiceError {
  override readonly name = 'RateLimitError';
  // Distinct from the REST layer's RATE_LIMITED (Discord's 429): this one is our own limit.
  readonly code = 'RATE_LIMIT_EXCEEDED';
  readonly status = 429;
  constructor(
    /** ms until one request is allowed again. */
    readonly retryAfter: number,
    /** Which limit: `requests` (every call of a key) or `submissions` (per key and channel). */
    readonly limit: string,
  ) {
    super(`Rate limit "${limit}" exceeded; retry after ${Math.ceil(retryAfter / 1000)} s`, {
      retryable: true,
    });
  }
}

export function isRateLimitError(value: unknown): value is RateLimitError {
  return value instanceof RateLimitError;
}

/** The circuit breaker around Discord is open: submissions fail fast instead of piling up. */
export class CircuitOpenError extends ServiceError {
  override readonly name = 'CircuitOpenError';
  readonly code = 'CIRCUIT_OPEN';
  readonly status = 503;
  constructor(
    /** ms until the breaker lets a probe through. */
    readonly retryAfter: number,
    /** Why it opened (the last failure seen). */
    readonly reason: string,
  ) {
    super(
      `Discord submissions are paused (circuit open: ${reason}); retry after ${Math.ceil(retryAfter / 1000)} s`,
      {
        retryable: true,
      },
    );
  }
}

/** Too many jobs in flight in this service; try again later. */
export class ServiceBusyError extends ServiceError {
  override readonly name = 'ServiceBusyError';
  readonly code = 'SERVICE_BUSY';
  readonly status = 503;
  constructor(
    readonly activeJobs: number,
    readonly retryAfter: number,
  ) {
    super(`The service already has ${activeJobs} jobs in flight (MJW_MAX_ACTIVE_JOBS); retry later`, {
      retryable: true,
    });
  }
}

/** No job with this id (or not one the caller's key owns). */
export class UnknownJobError extends ServiceError {
  override readonly name = 'UnknownJobError';
  readonly code = 'UNKNOWN_JOB';
  readonly status = 404;
  constructor(readonly jobId: string) {
    super(`No job with id "${jobId}"`);
  }
}

/** The job is not in a state that allows the request (cancel a finished job, act on a failed one). */
export class JobStateError extends ServiceError {
  override readonly name = 'JobStateError';
  readonly code = 'JOB_STATE_CONFLICT';
  readonly status = 409;
  constructor(
    readonly jobId: string,
    readonly jobStatus: string,
    message: string,
  ) {
    super(message);
  }
}

/** The button asked for is not on the source job's result. */
export class ActionUnavailableError extends ServiceError {
  override readonly name = 'ActionUnavailableError';
  readonly code = 'ACTION_UNAVAILABLE';
  readonly status = 422;
  constructor(
    readonly jobId: string,
    readonly action: string,
    readonly available: readonly string[],
  ) {
    super(
      `Action "${action}" is not available on job ${jobId}; available: ${available.length > 0 ? available.join(', ') : 'none'}`,
    );
  }
}

/** A webhook URL the target policy refuses (private, loopback, link-local, unresolvable, bad scheme). */
export class WebhookTargetError extends ServiceError {
  override readonly name = 'WebhookTargetError';
  readonly code = 'WEBHOOK_TARGET_FORBIDDEN';
  readonly status = 400;
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`Webhook target ${url} refused: ${reason}`);
  }
}

/** The request body is larger than MJW_BODY_LIMIT_BYTES. */
export class BodyTooLargeError extends ServiceError {
  override readonly name = 'BodyTooLargeError';
  readonly code = 'BODY_TOO_LARGE';
  readonly status = 413;
  constructor(readonly limitBytes: number) {
    super(`Request body exceeds the ${limitBytes} byte limit`);
  }
}

/** The request body is not JSON. */
export class UnsupportedMediaTypeError extends ServiceError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly status = 415;
  /** The media type sent, when it reads as one (`type/subtype`, 100 characters at most); else undefined. */
  readonly contentType: string | undefined;
  constructor(contentType: string | undefined) {
    // Only a plausible media type is repeated: the header is client input.
    const essence = /^[\w.+-]{1,48}\/[\w.+-]{1,48}/.exec(contentType?.trim() ?? '')?.[0]?.toLowerCase();
    super(`Content-Type ${essence ?? '(none or unreadable)'} is not accepted; send application/json`);
    this.contentType = essence;
  }
}

/** The service is shutting down and takes no new work. */
export class ServiceClosingError extends ServiceError {
  override readonly name = 'ServiceClosingError';
  readonly code = 'SERVICE_CLOSING';
  readonly status = 503;
  constructor() {
    super('The service is shutting down', { retryable: true });
  }
}

/** The Idempotency-Key was first used with another request (method, route, parameters or body). */
export class IdempotencyKeyMismatchError extends ServiceError {
  override readonly name = 'IdempotencyKeyMismatchError';
  readonly code = 'IDEMPOTENCY_KEY_MISMATCH';
  readonly status = 422;
  constructor(readonly idempotencyKey: string) {
    super(
      `Idempotency-Key "${idempotencyKey}" was already used with a different request (method, route or body); send a new key for a new request`,
    );
  }
}

/** Another request with the same Idempotency-Key is still being handled; retry shortly. */
export class IdempotencyKeyInUseError extends ServiceError {
  override readonly name = 'IdempotencyKeyInUseError';
  readonly code = 'IDEMPOTENCY_KEY_IN_USE';
  readonly status = 409;
  constructor(
    readonly idempotencyKey: string,
    /** ms. */
    readonly retryAfter = 1_000,
  ) {
    super(`A request with Idempotency-Key "${idempotencyKey}" is still in progress; retry shortly`, {
      retryable: true,
    });
  }
}

export function isServiceError(value: unknown): value is ServiceError {
  return value instanceof ServiceError;
}
