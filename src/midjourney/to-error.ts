/**
 * Turns a failure classification into the typed error a caller catches.
 */
import type { Snowflake } from '../discord/types.js';
import type { Classification } from './classifier.js';
import {
  AccountError,
  AppealNeededError,
  CreditsExhaustedError,
  DuplicateImagesError,
  EphemeralModerationError,
  HumanCheckError,
  InvalidRequestError,
  JobFailedError,
  JobQueuedError,
  type MidjourneyError,
  type MidjourneyErrorContext,
  OutputFilterError,
  PostModerationError,
  PreModerationError,
  QueueFullError,
  UnknownOutcomeError,
} from './errors.js';

/** What the caller knows about the job; it wins over what the message carried. */
export interface ErrorContext {
  prompt: string;
  jobId?: string | undefined;
  messageId?: Snowflake | undefined;
}

/** The typed error for a failure classification. Throws TypeError for success and running outcomes. */
export function toError(classification: Classification, context: ErrorContext): MidjourneyError {
  const c = classification;
  const base: MidjourneyErrorContext = {
    prompt: context.prompt,
    jobId: context.jobId ?? c.jobId,
    messageId: context.messageId ?? c.messageId,
    notice: c.notice,
    retryAfter: c.retryAfter,
  };
  switch (c.outcome) {
    case 'pre-moderation':
      return new PreModerationError({ ...base, appealCustomId: c.customId });
    case 'post-moderation':
      return new PostModerationError({ ...base, percent: c.percent });
    case 'ephemeral-moderation':
      return new EphemeralModerationError(base);
    case 'invalid-request':
      return new InvalidRequestError({ ...base, parameter: c.parameter });
    case 'queue-full':
      return new QueueFullError(base);
    case 'job-queued':
      return new JobQueuedError(base);
    case 'appeal-needed':
      return new AppealNeededError({ ...base, appealCustomId: c.customId });
    case 'credits-exhausted':
      return new CreditsExhaustedError(base);
    case 'account':
      return new AccountError({ ...base, reason: c.accountReason ?? 'blocked' });
    case 'human-check':
      return new HumanCheckError({ ...base, customId: c.customId });
    case 'output-filter':
      return new OutputFilterError(base);
    case 'job-failed':
      return new JobFailedError(base);
    case 'duplicate-images':
      return new DuplicateImagesError(base);
    case 'unknown':
      return new UnknownOutcomeError({ ...base, raw: c.raw });
    default:
      throw new TypeError(`toError: outcome '${c.outcome}' is not a failure`);
  }
}
