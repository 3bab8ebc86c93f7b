/**
 * Names the outcome of a finished step, for the result line, the summary and `--retry`. Midjourney
 * outcomes use the classifier's names; everything else is a transport or local failure.
 */
import { classifyError, isDiscordFailure, isMidjourneyCode } from '../error-kind.js';
import { isWorkerError } from '../errors.js';
import type { MidjourneyErrorCode } from '../midjourney/errors.js';
import type { ErrorInfo } from './result-line.js';

const MIDJOURNEY_OUTCOMES: Readonly<Record<MidjourneyErrorCode, string>> = {
  PRE_MODERATION: 'pre-moderation',
  POST_MODERATION: 'post-moderation',
  EPHEMERAL_MODERATION: 'ephemeral-moderation',
  INVALID_REQUEST: 'invalid-request',
  QUEUE_FULL: 'queue-full',
  JOB_QUEUED: 'job-queued',
  APPEAL_NEEDED: 'appeal-needed',
  CREDITS_EXHAUSTED: 'credits-exhausted',
  ACCOUNT_NOTICE: 'account',
  HUMAN_CHECK: 'human-check',
  OUTPUT_FILTER: 'output-filter',
  JOB_FAILED: 'job-failed',
  DUPLICATE_IMAGES: 'duplicate-images',
  UNKNOWN_OUTCOME: 'unknown',
  JOB_TIMEOUT: 'timeout',
  JOB_NOT_FOUND: 'not-found',
};

/** Outcomes of moderation: never retried, whatever `--retry` says (retrying would risk the account). */
export const MODERATION_OUTCOMES: ReadonlySet<string> = new Set([
  'pre-moderation',
  'post-moderation',
  'ephemeral-moderation',
  'appeal-needed',
]);

/** Outcomes after which the account cannot take more jobs: the batch stops submitting. */
export const ACCOUNT_STOP_OUTCOMES: ReadonlySet<string> = new Set([
  'account',
  'human-check',
  'credits-exhausted',
]);

/** `discord` covers HTTP, gateway, rate-limit, token and network errors; `error` anything unexpected. */
export type FailureKind = 'midjourney' | 'discord' | 'local';

export function outcomeOf(error: unknown): string {
  // The same classification as `mjw imagine`'s exit code and the service (src/error-kind.ts).
  const kind = classifyError(error);
  switch (kind.family) {
    case 'midjourney':
      return isMidjourneyCode(kind.code) ? MIDJOURNEY_OUTCOMES[kind.code] : 'unknown';
    case 'aborted':
      return 'aborted';
    case 'discord':
      return 'discord';
    default:
      return 'error';
  }
}

/** Whether the error comes from talking to Discord (exit code 4) rather than from Midjourney (3). */
export function isTransportError(error: unknown): boolean {
  return isDiscordFailure(error);
}

export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      code: typeof code === 'string' ? code : typeof code === 'number' ? String(code) : 'ERROR',
      message: error.message,
      retryable: isWorkerError(error) ? error.retryable : false,
    };
  }
  return { name: 'Error', code: 'ERROR', message: String(error), retryable: false };
}
