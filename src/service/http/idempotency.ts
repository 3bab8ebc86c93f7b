/**
 * Idempotency-Key on the routes that create jobs (`POST /v1/imagine`, `POST /v1/jobs/:id/actions`,
 * the midjourney-proxy submit routes): a client retrying after a timeout gets the first answer
 * again, never a second job.
 *
 * The rule, in order:
 * 1. No header: the request runs as usual. A malformed one (empty, over 255 characters, not
 *    printable ASCII): 400 VALIDATION_FAILED.
 * 2. The key is reserved in the store, per API key, atomically, before anything else runs; of two
 *    requests arriving at once only one gets the reservation. The job is bound to the key in the
 *    same store step that inserts it, so a key never gets two jobs, even across processes.
 * 3. A key already there with another fingerprint (SHA-256 of method, route, parameters and
 *    canonical JSON body): 422 IDEMPOTENCY_KEY_MISMATCH.
 * 4. With its answer stored: that answer, same status and body (`Idempotent-Replayed: true`).
 *    With a job but no answer yet (the first request is finishing, or its process died between
 *    the two): an answer built from the job as it is now.
 * 5. Reserved without a job: the first request is running. Wait for it (up to 10 s), then as 4;
 *    still running: 409 IDEMPOTENCY_KEY_IN_USE (retryable). A reservation whose request died
 *    before creating a job is taken over after its 30 s lease.
 * A request that ends without creating a job (refused, invalid, rate limited) releases the key, so
 * the client may retry it (or send another body under the same key).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { sleep } from '../../util/clock.js';
import { IdempotencyKeyInUseError, IdempotencyKeyMismatchError, RequestValidationError } from '../errors.js';
import {
  type IdempotencyReservation,
  IdempotencyReservationLostError,
  type IdempotentAnswer,
} from '../jobs/idempotency-record.js';
import type { JobStore } from '../jobs/job-store.js';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;
/** A reservation that created no job blocks retries this long at most. */
export const IDEMPOTENCY_LEASE_MS = 30_000;
/** How long a duplicate waits for the first request before answering 409. */
export const IDEMPOTENCY_WAIT_MS = 10_000;
const POLL_MS = 20;

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The request's Idempotency-Key, undefined without one; throws RequestValidationError when malformed. */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  const problem = `headers.${IDEMPOTENCY_KEY_HEADER}: must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters`;
  if (typeof value !== 'string') throw new RequestValidationError([`${problem}, sent once`]);
  if (value.length === 0 || value.length > IDEMPOTENCY_KEY_MAX_LENGTH || !PRINTABLE_ASCII.test(value)) {
    throw new RequestValidationError([problem]);
  }
  return value;
}

/** JSON with object keys sorted at every level: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 of method, route pattern, parameters and canonical body. */
export function requestFingerprint(request: FastifyRequest): string {
  const text = canonicalJson({
    method: request.method,
    route: request.routeOptions.url ?? request.url,
    params: request.params ?? {},
    body: request.body ?? null,
  });
  return createHash('sha256').update(text).digest('hex');
}

/** What a job-creating route did: its answer, and the job it created (null when it created none). */
export interface IdempotentOutcome {
  answer: IdempotentAnswer;
  jobId: string | null;
}

export interface IdempotencyDeps {
  store: JobStore;
  /** How long keys are kept. */
  ttlMs: number;
  logger?: FastifyBaseLogger;
}

/**
 * Runs `run` once per Idempotency-Key of the caller (see the rule above), or replays. `fromJob`
 * builds the answer for a job created under the key whose answer was never stored. Resolves with
 * the answer and whether it is a replay.
 */
export async function idempotent(
  deps: IdempotencyDeps,
  request: FastifyRequest,
  run: (reservation: IdempotencyReservation | undefined) => Promise<IdempotentOutcome>,
  fromJob: (jobId: string) => Promise<IdempotentAnswer>,
): Promise<{ answer: IdempotentAnswer; replayed: boolean }> {
  const key = idempotencyKeyOf(request.headers);
  if (key === undefined) return { answer: (await run(undefined)).answer, replayed: false };
  const fingerprint = requestFingerprint(request);
  const deadline = Date.now() + IDEMPOTENCY_WAIT_MS;
  for (;;) {
    const reserved = await deps.store.reserveIdempotencyKey({
      clientId: request.clientId,
      key,
      fingerprint,
      ttlMs: deps.ttlMs,
      leaseMs: IDEMPOTENCY_LEASE_MS,
    });
    if (reserved.kind === 'reserved')
      return { answer: await runReserved(deps, reserved.reservation, run), replayed: false };
    const { record } = reserved;
    if (record.fingerprint !== fingerprint) throw new IdempotencyKeyMismatchError(key);
    if (record.answer !== null) return { answer: record.answer, replayed: true };
    if (record.jobId !== null) return { answer: await fromJob(record.jobId), replayed: true };
    if (Date.now() >= deadline) throw new IdempotencyKeyInUseError(key);
    await sleep(POLL_MS, undefined, { unref: true });
  }
}

async function runReserved(
  deps: IdempotencyDeps,
  reservation: IdempotencyReservation,
  run: (reservation: IdempotencyReservation) => Promise<IdempotentOutcome>,
): Promise<IdempotentAnswer> {
  let outcome: IdempotentOutcome;
  try {
    outcome = await run(reservation);
  } catch (error) {
    // Nothing was created (the job insert is the last step that can fail): free the key.
    await deps.store.releaseIdempotencyKey(reservation);
    if (error instanceof IdempotencyReservationLostError) throw new IdempotencyKeyInUseError(reservation.key);
    throw error;
  }
  if (outcome.jobId === null) await deps.store.releaseIdempotencyKey(reservation);
  else {
    try {
      await deps.store.completeIdempotencyKey(reservation, outcome.answer, outcome.jobId);
    } catch (error) {
      // The job is bound to the key already; a retry answers from the job.
      deps.logger?.error({ err: error, jobId: outcome.jobId }, 'could not store the idempotent answer');
    }
  }
  return outcome.answer;
}

/** Deletes expired keys now and every `everyMs` on an unref'd timer; returns the stop function. */
export function sweepIdempotencyKeys(store: JobStore, everyMs: number, logger?: Logger): () => void {
  const sweep = (): void => {
    store.deleteExpiredIdempotencyKeys().then(
      (n) => {
        if (n > 0) logger?.debug({ keys: n }, 'expired idempotency keys deleted');
      },
      (error: unknown) => logger?.warn({ err: error }, 'could not delete expired idempotency keys'),
    );
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
