/**
 * Errors of the generation layer itself (not Midjourney outcomes, which live in
 * `src/midjourney/errors.ts`): bad options, the local daily cap, a button the result does not
 * carry, and the orchestrator being closed.
 */
import { WorkerError } from '../errors.js';
import { PreModerationError } from '../midjourney/errors.js';

/** An option of `Midjourney` / the orchestrator is missing or out of range. */
export class GenerationOptionsError extends WorkerError {
  override readonly name = 'GenerationOptionsError';
  readonly code = 'GENERATION_INVALID_OPTION';
  constructor(
    /** The option at fault, e.g. `pollMinMs`. */
    readonly option: string,
    message: string,
  ) {
    super(`Invalid option ${option}: ${message}`);
  }
}

/** The local daily job cap (config `dailyJobCap`) is reached; nothing was sent. */
export class DailyCapReachedError extends WorkerError {
  override readonly name = 'DailyCapReachedError';
  readonly code = 'DAILY_CAP_REACHED';
  constructor(
    readonly cap: number,
    /** ms until the oldest submission of the last 24 h leaves the window. */
    readonly retryAfter: number,
  ) {
    super(
      `The daily job cap of ${cap} submissions in 24 h is reached; next submission possible in ${Math.ceil(retryAfter / 1000)} s`,
      { retryable: true },
    );
  }
}

/** `act()` was asked for a button the result does not carry. */
export class UnknownActionError extends WorkerError {
  override readonly name = 'UnknownActionError';
  readonly code = 'UNKNOWN_ACTION';
  constructor(
    readonly action: string,
    /** The actions the result does carry. */
    readonly available: readonly string[],
  ) {
    super(
      `The result has no "${action}" button; available: ${available.length > 0 ? available.join(', ') : 'none'}`,
    );
  }
}

/** The orchestrator was closed: the job was cancelled (or refused) because of it. */
export class GeneratorClosedError extends WorkerError {
  override readonly name = 'GeneratorClosedError';
  readonly code = 'GENERATOR_CLOSED';
  constructor() {
    super('The Midjourney client is closed');
  }
}

export function isDailyCapReachedError(value: unknown): value is DailyCapReachedError {
  return value instanceof DailyCapReachedError;
}
export function isUnknownActionError(value: unknown): value is UnknownActionError {
  return value instanceof UnknownActionError;
}

/**
 * Polling-only mode cannot see ephemeral notices (flag 64): a job Midjourney refuses before it
 * starts leaves nothing in the channel. The usual cause is pre-moderation ("Banned prompt
 * detected"); the same silence follows the other ephemeral refusals (invalid parameter, queue
 * full, appeal, account notices). When no message of the job appears within `notSeenTimeoutMs`,
 * the job rejects with this: a PreModerationError (same name and code) marked `inferred`, and not
 * retryable, because sending a refused prompt again risks the account. Watch over the gateway
 * (`watch: 'gateway'`) to read the actual notice.
 */
export class InferredPreModerationError extends PreModerationError {
  /** The outcome was deduced from silence, not read from a notice. */
  readonly inferred = true;
  constructor(
    prompt: string,
    /** How long the channel was watched without any message of the job. */
    readonly waitedMs: number,
    /**
     * `resumed`: the job was resumed after a restart, Discord had confirmed its send, and reads
     * covering the grace window showed nothing (restart-rule.ts); old notices are not replayed.
     */
    options: { resumed?: boolean } = {},
  ) {
    super({
      prompt,
      message: options.resumed
        ? `Discord confirmed the send of this resumed job, yet no message of it appeared after ${waitedMs} ms of complete channel reads: Midjourney most likely refused it with an ephemeral notice ("Banned prompt detected"; also possible: invalid parameter, queue full, appeal or account notices). Not resent: that could bill it twice`
        : `No message of the job appeared within ${waitedMs} ms: Midjourney answered with a notice only visible over the gateway, most likely "Banned prompt detected" (also possible: invalid parameter, queue full, appeal or account notices). Inferred while polling; use watch 'gateway' to read the notice`,
    });
  }
}

/**
 * A resumed job (restart-rule.ts) could not be resolved before its hard deadline: nothing of it
 * was seen, and the channel reads that would prove it absent kept failing (or never covered the
 * grace window). A failed read is not evidence, so this is NOT "safe to resend": the job may be
 * running and billed. Retryable in the sense that `resume(ticket)` may be tried again later, once
 * Discord answers; `cause` holds the last read error.
 */
export class ResumeUnresolvedError extends WorkerError {
  override readonly name = 'ResumeUnresolvedError';
  readonly code = 'RESUME_UNRESOLVED';
  /** Never safe to resend on this error: the job may have run. */
  readonly safeToResend = false;
  constructor(
    readonly prompt: string,
    /** The ticket's nonce. */
    readonly nonce: string,
    /** How long the resume looked (ms). */
    readonly waitedMs: number,
    /** Channel reads that failed while it looked. */
    readonly failedReads: number,
    cause?: unknown,
  ) {
    super(
      `Could not tell within ${waitedMs} ms whether the resumed job (nonce ${nonce}) ran: ${failedReads} channel read(s) failed and no complete read covered the grace window. Resume it again later; do not resend it`,
      { retryable: true, cause },
    );
  }
}

export function isResumeUnresolvedError(value: unknown): value is ResumeUnresolvedError {
  return value instanceof ResumeUnresolvedError;
}

/**
 * The interaction POST of a live job may have reached Discord (it timed out, the connection was
 * reset after connecting, a 5xx, a malformed 2xx), and nothing of the job appeared while it was
 * watched. The send rule (`send-rule.ts`) never sends such a job again: Discord may act on a held
 * request after our timeout, and when polling an ephemeral refusal leaves the same silence as a
 * request that never arrived. So the job MAY HAVE RUN and been billed. Not retryable: check the
 * channel (or the account's job list) before submitting it again. `cause` is the send's failure.
 */
export class SubmissionUncertainError extends WorkerError {
  override readonly name = 'SubmissionUncertainError';
  readonly code = 'SUBMISSION_UNCERTAIN';
  /** Never safe to resend on this error: the job may have run. */
  readonly safeToResend = false;
  readonly prompt: string;
  /** The interaction's nonce. */
  readonly nonce: string;
  /** How long the job was watched without any sign of it (ms). */
  readonly waitedMs: number;
  constructor(init: {
    prompt: string;
    nonce: string;
    waitedMs: number;
    /** The send's failure (a live job). */
    cause?: Error;
    /** A job resumed after a restart whose send Discord never confirmed (restart-rule.ts). */
    resumed?: boolean;
  }) {
    const why = init.resumed
      ? 'was stored before a restart and Discord never confirmed its send (the process may have died while the POST was pending)'
      : `may have reached Discord (${init.cause?.message ?? 'an ambiguous failure'})`;
    super(
      `The send of the job (nonce ${init.nonce}) ${why}, and nothing of it appeared within ${init.waitedMs} ms: it may have run and been billed, or been refused by a notice polling cannot see. Not sent again; check the channel before submitting it again`,
      { retryable: false, ...(init.cause ? { cause: init.cause } : {}) },
    );
    this.prompt = init.prompt;
    this.nonce = init.nonce;
    this.waitedMs = init.waitedMs;
  }
}

export function isSubmissionUncertainError(value: unknown): value is SubmissionUncertainError {
  return value instanceof SubmissionUncertainError;
}
