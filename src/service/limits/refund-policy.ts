/**
 * Which refused requests get their token back. A caller pays for work, not for being turned
 * away before any was done:
 * - the requests bucket (every call) is refunded when the answer is a refusal decided from the
 *   request alone, before the store, DNS or Discord was asked: a bad body, query, path or
 *   encoding (VALIDATION_FAILED, FIELD_LIMIT_EXCEEDED, BAD_REQUEST), a body too large or not
 *   JSON, a URL too long, no such route; and when the service itself refused for its own state
 *   (CIRCUIT_OPEN, SERVICE_BUSY, SERVICE_CLOSING): the caller is told when to come back and
 *   should not be charged for our outage.
 * - It is not refunded for answers that needed a look-up (UNKNOWN_JOB, JOB_STATE_CONFLICT,
 *   ACTION_UNAVAILABLE, WEBHOOK_TARGET_FORBIDDEN, which resolves DNS, IDEMPOTENCY_KEY_MISMATCH
 *   and IDEMPOTENCY_KEY_IN_USE, read from the store), nor for the submissions limit's 429: a
 *   client looping on those still meets its limit. A malformed Idempotency-Key is
 *   VALIDATION_FAILED, refunded.
 * - The proxy's code-4 answers (HTTP 200) for a body wrong by itself count as VALIDATION_FAILED.
 * - UNAUTHORIZED and the requests limit's own 429 take nothing to give back.
 * - The submissions bucket is charged only for a job the service accepted: any refusal after
 *   the token was taken (webhook target, circuit, busy, store) gives it back (context.ts). A
 *   request replayed under its Idempotency-Key creates no job and takes no submissions token.
 */

/** Error codes whose answer gives the requests token back. */
export const REFUNDED_CODES: ReadonlySet<string> = new Set([
  'VALIDATION_FAILED',
  'FIELD_LIMIT_EXCEEDED',
  'BAD_REQUEST',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'URI_TOO_LONG',
  'ROUTE_NOT_FOUND',
  'CIRCUIT_OPEN',
  'SERVICE_BUSY',
  'SERVICE_CLOSING',
]);

/** Whether an answer with error `code` gives the caller's requests token back. */
export function refundsRequestToken(code: string | undefined): boolean {
  return code !== undefined && REFUNDED_CODES.has(code);
}
