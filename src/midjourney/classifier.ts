/**
 * Decides what a Midjourney message (or a deletion) means for a job, by walking the rules in
 * `outcomes.ts` in order: embed titles first, then content, then buttons, then colour. Pure.
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import type { AccountNoticeReason, MidjourneyError } from './errors.js';
import type { ParsedMessage } from './parser.js';

export type OutcomeKind =
  | 'success'
  | 'waiting'
  | 'progress'
  | 'noise'
  | 'job-queued'
  | 'pre-moderation'
  | 'post-moderation'
  | 'ephemeral-moderation'
  | 'queue-full'
  | 'invalid-request'
  | 'appeal-needed'
  | 'credits-exhausted'
  | 'account'
  | 'human-check'
  | 'output-filter'
  | 'job-failed'
  | 'duplicate-images'
  | 'unknown';

export type ClassifierEvent =
  | {
      type: 'message';
      message: APIMessage;
      /** The parse of `message`, if already done (parsed again otherwise). */
      parsed?: ParsedMessage;
      /** Delivered as an ephemeral notice (defaults to the message's flag 64). */
      ephemeral?: boolean;
    }
  | {
      type: 'deleted';
      messageId: Snowflake;
      /** The last version of the deleted message the watcher saw. */
      lastSeen?: ParsedMessage;
    };

export interface Classification {
  outcome: OutcomeKind;
  /** The job is over (success or failure). */
  terminal: boolean;
  /**
   * Terminal only if nothing else for the job arrives within a confirmation window: a deleted
   * progress message is also what a normal completion looks like, moments after the result appears.
   */
  tentative: boolean;
  /** The account must stop submitting. */
  accountFatal: boolean;
  retryable: boolean;
  /** Suggested wait before retrying (ms). */
  retryAfter?: number;
  /** The id of the table row that matched (for logs and new-wording triage). */
  rule: string;
  /** The notice's text: embed title + description, or content. */
  notice?: string;
  /** For invalid requests: the offending parameter (`--ar`). */
  parameter?: string;
  /** For account notices. */
  accountReason?: AccountNoticeReason;
  /** A button a person may need (appeal, captcha). */
  customId?: string;
  /** Job id, message id and progress, when the message carries them. */
  jobId?: string;
  messageId?: Snowflake;
  percent?: number;
  parsed?: ParsedMessage;
  /** The raw message, kept for unknown outcomes. */
  raw?: APIMessage;
}

export interface ErrorContext {
  prompt: string;
  jobId?: string | undefined;
  messageId?: Snowflake | undefined;
}

export function classify(event: ClassifierEvent): Classification {
  throw new Error(`classify: not implemented yet (${event.type})`);
}

export function toError(classification: Classification, context: ErrorContext): MidjourneyError {
  throw new Error(`toError: not implemented yet (${classification.outcome}, ${context.prompt})`);
}
