/**
 * What Midjourney did to a job, as typed errors. Every outcome that is not a finished image has a
 * class with a literal `name` and a stable `code`, so callers switch on the class or the code and
 * never on wording. The notice Midjourney showed is kept verbatim in `notice`.
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import { WorkerError } from '../errors.js';

export type MidjourneyErrorCode =
  | 'PRE_MODERATION'
  | 'POST_MODERATION'
  | 'EPHEMERAL_MODERATION'
  | 'INVALID_REQUEST'
  | 'QUEUE_FULL'
  | 'JOB_QUEUED'
  | 'APPEAL_NEEDED'
  | 'CREDITS_EXHAUSTED'
  | 'ACCOUNT_NOTICE'
  | 'HUMAN_CHECK'
  | 'OUTPUT_FILTER'
  | 'JOB_FAILED'
  | 'DUPLICATE_IMAGES'
  | 'UNKNOWN_OUTCOME'
  | 'JOB_TIMEOUT'
  | 'JOB_NOT_FOUND';

/** Why an account can no longer submit jobs (from the notice's title). */
export type AccountNoticeReason =
  | 'pending-mod-message'
  | 'blocked'
  | 'subscription-required'
  | 'subscription-paused'
  | 'plan-cancelled'
  | 'tos-not-accepted';

/** What every Midjourney error knows about the job it ends. */
export interface MidjourneyErrorContext {
  /** The prompt as the caller gave it. */
  prompt: string;
  /** Midjourney's job UUID, when known. */
  jobId?: string | undefined;
  /** The Discord message that carried the outcome, when there was one. */
  messageId?: Snowflake | undefined;
  /** The notice's text: embed title and description, or the message content. */
  notice?: string | undefined;
  /** How long to wait before trying again (ms), when Midjourney or the table suggests it. */
  retryAfter?: number | undefined;
  /** Replaces the default human summary. */
  message?: string | undefined;
  cause?: unknown;
}

interface Traits {
  retryable: boolean;
  accountFatal?: boolean;
}

export abstract class MidjourneyError extends WorkerError {
  abstract override readonly code: MidjourneyErrorCode;
  readonly prompt: string;
  readonly jobId: string | undefined;
  readonly messageId: Snowflake | undefined;
  readonly notice: string | undefined;
  /** ms; only set when a wait is known to help. */
  readonly retryAfter: number | undefined;
  /** True when the account itself is unusable until a person acts: stop submitting on it. */
  readonly accountFatal: boolean;

  protected constructor(summary: string, context: MidjourneyErrorContext, traits: Traits) {
    const notice = context.notice?.trim() || undefined;
    super(context.message ?? (notice ? `${summary}: ${notice}` : summary), {
      cause: context.cause,
      retryable: traits.retryable,
    });
    this.prompt = context.prompt;
    this.jobId = context.jobId;
    this.messageId = context.messageId;
    this.notice = notice;
    this.retryAfter = context.retryAfter;
    this.accountFatal = traits.accountFatal ?? false;
  }
}

/** Midjourney refused the prompt before starting ("Banned prompt detected"), or the local list did. */
export class PreModerationError extends MidjourneyError {
  override readonly name = 'PreModerationError';
  readonly code = 'PRE_MODERATION';
  readonly detectedLocally: boolean;
  /** The banned word that matched, when the local pre-check refused the prompt. */
  readonly bannedWord: string | undefined;
  /** The notice's Appeal button, when Midjourney offered one. */
  readonly appealCustomId: string | undefined;
  constructor(
    context: MidjourneyErrorContext & {
      detectedLocally?: boolean;
      bannedWord?: string;
      appealCustomId?: string | undefined;
    },
  ) {
    const local = context.detectedLocally ?? false;
    super(local ? 'Prompt refused by the local banned-word list' : 'Midjourney refused the prompt', context, {
      retryable: false,
    });
    this.detectedLocally = local;
    this.bannedWord = context.bannedWord;
    this.appealCustomId = context.appealCustomId;
  }
}

/** The job started and was stopped by moderation partway ("(Stopped)", or its message vanished). */
export class PostModerationError extends MidjourneyError {
  override readonly name = 'PostModerationError';
  readonly code = 'POST_MODERATION';
  /** The last progress seen before the job was stopped. */
  readonly percent: number | undefined;
  constructor(context: MidjourneyErrorContext & { percent?: number | undefined }) {
    super('Midjourney stopped the job during generation', context, { retryable: false });
    this.percent = context.percent;
  }
}

/** The job finished but its result was hidden (made ephemeral or deleted) by moderation. */
export class EphemeralModerationError extends MidjourneyError {
  override readonly name = 'EphemeralModerationError';
  readonly code = 'EPHEMERAL_MODERATION';
  constructor(context: MidjourneyErrorContext) {
    super('Midjourney hid the finished result', context, { retryable: false });
  }
}

/** The prompt or a parameter is malformed ("Invalid parameter", "Unrecognized parameter(s)"). */
export class InvalidRequestError extends MidjourneyError {
  override readonly name = 'InvalidRequestError';
  readonly code = 'INVALID_REQUEST';
  /** The offending parameter, e.g. `--ar`, when it could be identified. */
  readonly parameter: string | undefined;
  readonly detectedLocally: boolean;
  constructor(
    context: MidjourneyErrorContext & { parameter?: string | undefined; detectedLocally?: boolean },
  ) {
    super('Midjourney rejected the request as invalid', context, { retryable: false });
    this.parameter = context.parameter;
    this.detectedLocally = context.detectedLocally ?? false;
  }
}

/** Midjourney's per-account queue is full; wait for running jobs to finish and try again. */
export class QueueFullError extends MidjourneyError {
  override readonly name = 'QueueFullError';
  readonly code = 'QUEUE_FULL';
  constructor(context: MidjourneyErrorContext) {
    super("Midjourney's job queue for this account is full", context, { retryable: true });
  }
}

/** The job was queued behind others (only thrown when the caller asked for it; the job will still run). */
export class JobQueuedError extends MidjourneyError {
  override readonly name = 'JobQueuedError';
  readonly code = 'JOB_QUEUED';
  constructor(context: MidjourneyErrorContext) {
    // Not retryable: the queued job runs anyway, so sending it again would pay twice.
    super('Midjourney queued the job behind others', context, { retryable: false });
  }
}

/** Moderation wants the user to appeal or acknowledge ("Action needed to continue"). */
export class AppealNeededError extends MidjourneyError {
  override readonly name = 'AppealNeededError';
  readonly code = 'APPEAL_NEEDED';
  /** The Appeal button's custom_id, for a person to press. */
  readonly appealCustomId: string | undefined;
  constructor(context: MidjourneyErrorContext & { appealCustomId?: string | undefined }) {
    super('Midjourney wants the prompt appealed or acknowledged', context, { retryable: false });
    this.appealCustomId = context.appealCustomId;
  }
}

/** The account's fast hours are used up; switch to relax mode or wait for the renewal. */
export class CreditsExhaustedError extends MidjourneyError {
  override readonly name = 'CreditsExhaustedError';
  readonly code = 'CREDITS_EXHAUSTED';
  constructor(context: MidjourneyErrorContext) {
    super("The account's fast hours are used up", context, { retryable: false });
  }
}

/** The account cannot submit jobs until a person acts (blocked, unpaid, pending mod message, ToS). */
export class AccountError extends MidjourneyError {
  override readonly name = 'AccountError';
  readonly code = 'ACCOUNT_NOTICE';
  readonly reason: AccountNoticeReason;
  constructor(context: MidjourneyErrorContext & { reason: AccountNoticeReason }) {
    super(`The Midjourney account cannot submit jobs (${context.reason})`, context, {
      retryable: false,
      accountFatal: true,
    });
    this.reason = context.reason;
  }
}

/** Midjourney wants a human check (captcha) before the account can continue. */
export class HumanCheckError extends MidjourneyError {
  override readonly name = 'HumanCheckError';
  readonly code = 'HUMAN_CHECK';
  /** The button a person has to press (`MJ::Captcha...`, `MJ::iframe::...`), when shown. */
  readonly customId: string | undefined;
  constructor(context: MidjourneyErrorContext & { customId?: string | undefined }) {
    super('Midjourney asks for a human check before the account can continue', context, {
      retryable: false,
      accountFatal: true,
    });
    this.customId = context.customId;
  }
}

/** The generated images were withheld by Midjourney's output filters. */
export class OutputFilterError extends MidjourneyError {
  override readonly name = 'OutputFilterError';
  readonly code = 'OUTPUT_FILTER';
  constructor(context: MidjourneyErrorContext) {
    super("Midjourney's output filters cancelled the job", context, { retryable: false });
  }
}

/** Midjourney failed on its side ("Sorry! Could not complete the job!", "Failed to process ..."). */
export class JobFailedError extends MidjourneyError {
  override readonly name = 'JobFailedError';
  readonly code = 'JOB_FAILED';
  constructor(context: MidjourneyErrorContext) {
    super('Midjourney could not complete the job', context, { retryable: true });
  }
}

/** Midjourney refused identical input images ("Duplicate images detected"). */
export class DuplicateImagesError extends MidjourneyError {
  override readonly name = 'DuplicateImagesError';
  readonly code = 'DUPLICATE_IMAGES';
  constructor(context: MidjourneyErrorContext) {
    super('Midjourney refused duplicate images', context, { retryable: false });
  }
}

/** A message for the job that no table row recognises; the raw message is kept for a new row. */
export class UnknownOutcomeError extends MidjourneyError {
  override readonly name = 'UnknownOutcomeError';
  readonly code = 'UNKNOWN_OUTCOME';
  readonly raw: APIMessage | undefined;
  constructor(context: MidjourneyErrorContext & { raw?: APIMessage | undefined }) {
    super('Midjourney answered with an unrecognised message', context, { retryable: false });
    this.raw = context.raw;
  }
}

/** No terminal outcome before the job's hard deadline. */
export class JobTimeoutError extends MidjourneyError {
  override readonly name = 'JobTimeoutError';
  readonly code = 'JOB_TIMEOUT';
  readonly timeoutMs: number;
  /** The last state seen (`waiting`, `progress`, ...), if any message was seen. */
  readonly lastState: string | undefined;
  constructor(context: MidjourneyErrorContext & { timeoutMs: number; lastState?: string | undefined }) {
    super(`No outcome within ${context.timeoutMs} ms`, context, { retryable: true });
    this.timeoutMs = context.timeoutMs;
    this.lastState = context.lastState;
  }
}

/**
 * `resume()` proved that a job whose send Discord never confirmed did not run: complete,
 * successful reads of the channel after the grace window show nothing of it. This is the only
 * verdict that makes resending safe (`retryable`: submit it again, once). A failed read never
 * leads here (that is `ResumeUnresolvedError`), nor does a send Discord confirmed (that is an
 * `InferredPreModerationError`). The rule is in src/generation/restart-rule.ts.
 */
export class JobNotFoundError extends MidjourneyError {
  override readonly name = 'JobNotFoundError';
  readonly code = 'JOB_NOT_FOUND';
  readonly nonce: string | undefined;
  constructor(context: MidjourneyErrorContext & { nonce?: string | undefined }) {
    // Retryable: safe to submit again, because nothing of it was accepted or shown.
    super('The submitted job never appeared in the channel', context, { retryable: true });
    this.nonce = context.nonce;
  }
}

/** Discord lists no command of that name for the Midjourney application where we looked. */
export class CommandNotFoundError extends WorkerError {
  override readonly name = 'CommandNotFoundError';
  readonly code = 'COMMAND_NOT_FOUND';
  constructor(
    readonly commandName: string,
    readonly applicationId: Snowflake,
    /** Where it was looked up: `guild:<id>` or `channel:<id>`. */
    readonly scope: string,
  ) {
    super(
      `No /${commandName} command of application ${applicationId} in ${scope}: is the bot in that server?`,
    );
  }
}

export function isMidjourneyError(value: unknown): value is MidjourneyError;
export function isMidjourneyError<C extends MidjourneyErrorCode>(
  value: unknown,
  code: C,
): value is MidjourneyError & { code: C };
export function isMidjourneyError(value: unknown, code?: MidjourneyErrorCode): boolean {
  return value instanceof MidjourneyError && (code === undefined || value.code === code);
}

/** True for outcomes after which the account must stop submitting (account notices, human check). */
export function isAccountFatal(value: unknown): value is MidjourneyError & { accountFatal: true } {
  return value instanceof MidjourneyError && value.accountFatal;
}
