/**
 * Pure decisions about a generator error: how the job's outcome reads in the API (the library's
 * error name and code, so clients switch on them), and what it says about Discord's health for
 * the circuit breaker. Errors are recognised by `name` / `code`, which are stable contracts,
 * rather than by class identity.
 */
import { classifyError } from '../../error-kind.js';
import { isAbortError } from '../../util/abort.js';
import type { JobOutcomeError, JobRecord } from '../jobs/job.js';
import { checkJsonLimits, METADATA_LIMITS } from '../jobs/json-limits.js';

/** Fields the outcome names directly or that would only repeat the job. */
const RESERVED = new Set(['name', 'code', 'message', 'retryable', 'retryAfter', 'prompt', 'stack', 'cause']);

function jsonSafe(value: Record<string, unknown>): Record<string, unknown> | undefined {
  try {
    const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    return Object.keys(copy).length > 0 ? copy : undefined;
  } catch {
    return undefined;
  }
}

function codeOf(error: Error & { code?: unknown }): string {
  if (typeof error.code === 'string' && error.code !== '') return error.code;
  if (isAbortError(error)) return 'ABORTED';
  return 'INTERNAL_ERROR';
}

/** The job outcome for an error the generator rejected with. */
export function toOutcomeError(error: unknown): JobOutcomeError {
  if (!(error instanceof Error)) {
    return { name: 'Error', code: 'INTERNAL_ERROR', message: String(error), retryable: false };
  }
  const withJson = error as Error & { toJSON?: () => Record<string, unknown>; retryable?: unknown };
  const fields: Record<string, unknown> =
    typeof withJson.toJSON === 'function'
      ? withJson.toJSON()
      : { ...(error as unknown as Record<string, unknown>) };
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (!RESERVED.has(key)) details[key] = value;
  const outcome: JobOutcomeError = {
    name: error.name,
    code: codeOf(error),
    message: error.message,
    retryable: withJson.retryable === true,
  };
  const retryAfter = (error as { retryAfter?: unknown }).retryAfter;
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter)) outcome.retryAfter = retryAfter;
  const safe = jsonSafe(details);
  if (safe !== undefined) outcome.details = safe;
  return outcome;
}

/** The outcome of a job cancelled through the API. */
export const CANCELLED_OUTCOME: JobOutcomeError = Object.freeze({
  name: 'CancelledError',
  code: 'CANCELLED',
  message: 'Cancelled by the client',
  retryable: false,
});

/**
 * What an error says about Discord for the circuit breaker:
 * - `fatal`: the token is bad; open at once.
 * - `transport`: 5xx, network failure, timeout, exhausted 429 retries: counts toward opening.
 * - `outcome`: Midjourney answered (moderation, queue full, ...): Discord works.
 * - `neutral`: says nothing (cancelled, local validation, shutdown).
 */
export type FailureKind = 'fatal' | 'transport' | 'outcome' | 'neutral';

/** The same classification as `mjw imagine` and the batch outcome (src/error-kind.ts). */
export function classifyFailure(error: unknown): FailureKind {
  const kind = classifyError(error);
  switch (kind.family) {
    case 'discord':
      return kind.health === 'answered' ? 'outcome' : (kind.health ?? 'transport');
    case 'midjourney':
      return 'outcome';
    default:
      return 'neutral';
  }
}

/** The generator's "nothing of this job is in the channel" rejection from `resume`. */
export function isJobNotFound(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'JobNotFoundError' || (error as { code?: unknown }).code === 'JOB_NOT_FOUND')
  );
}

/**
 * Why a stored record cannot be run again, or undefined when it can: its metadata is over the
 * limits new jobs are held to (a record stored before they existed), or the record cannot be
 * copied (structuredClone is how the runner hands records out).
 */
export function invalidRecordReason(job: JobRecord): string | undefined {
  const breach = job.metadata === null ? undefined : checkJsonLimits(job.metadata, METADATA_LIMITS);
  if (breach !== undefined) {
    return breach.limit === 'serialisable'
      ? 'metadata cannot be written as JSON'
      : `metadata is over the ${breach.limit} limit (${breach.max})`;
  }
  try {
    structuredClone(job);
  } catch (error) {
    return `the record cannot be copied (${(error as Error).message})`;
  }
  return undefined;
}

/** The outcome of a job whose stored record could not be recovered. */
export function recordInvalidOutcome(reason: string): JobOutcomeError {
  return {
    name: 'JobRecordError',
    code: 'JOB_RECORD_INVALID',
    message: `The stored job could not be recovered: ${reason}; its metadata was dropped`,
    retryable: false,
  };
}

/**
 * The outcome of a job the runner itself failed on: the error's own when it can be read, else a
 * plain INTERNAL_ERROR (an error whose `toJSON` or getters throw must not fail twice).
 */
export function crashOutcome(error: unknown): JobOutcomeError {
  try {
    return toOutcomeError(error);
  } catch {
    return {
      name: 'JobRunnerError',
      code: 'INTERNAL_ERROR',
      message: 'The job failed inside the service',
      retryable: false,
    };
  }
}
