/**
 * The public shapes of the simulated Midjourney bot: what a job can end as, the account states a
 * test can put the bot in, per-prompt scripted rules, and the record of every job it played.
 */
import type { Snowflake } from '../../discord/types.js';

/**
 * How a job ends. Each maps to what the real bot sends (see /work/shared/MIDJOURNEY.md):
 * `success` plays waiting -> progress -> grid; the others are the failure notices and the
 * moderation flows; `never-answer` and `no-progress` are faults.
 */
export const JOB_OUTCOMES = [
  'success',
  'pre-moderation',
  'post-moderation',
  'ephemeral-moderation',
  'appeal-needed',
  'queue-full',
  'invalid-parameter',
  'invalid-link',
  'unrecognized-parameter',
  'invalid-prompt',
  'empty-prompt',
  'job-action-restricted',
  'invalid-request',
  'credits-exhausted',
  'pending-mod-message',
  'blocked',
  'plan-cancelled',
  'subscription-required',
  'subscription-paused',
  'tos-not-accepted',
  'human-check',
  'output-filter',
  'duplicate-images',
  'outage',
  'failed-text',
  'never-answer',
  'no-progress',
] as const;

export type JobOutcome = (typeof JOB_OUTCOMES)[number];

/** The account the bot believes the user has; anything but `active` refuses new jobs. */
export const ACCOUNT_STATES = [
  'active',
  'credits-exhausted',
  'pending-mod-message',
  'blocked',
  'plan-cancelled',
  'subscription-required',
  'subscription-paused',
  'tos-not-accepted',
  'human-check',
] as const;

export type AccountState = (typeof ACCOUNT_STATES)[number];

/** Generation speed as Midjourney prints it in the content: `(fast)`, `(relaxed)`, `(turbo)`. */
export type BotMode = 'fast' | 'relaxed' | 'turbo';

/** Which of the two bots a simulated bot plays: the same protocol, its own application and user. */
export type SimBotType = 'midjourney' | 'niji';

/** Where a job is in its life. */
export type SimJobState =
  | 'received'
  | 'queued'
  | 'waiting'
  | 'running'
  | 'completed'
  | 'stopped'
  | 'deleted'
  | 'rejected'
  | 'failed'
  | 'silent'
  | 'cancelled';

/** What started a job: `/imagine` or a button on an earlier result. */
export type SimJobKind =
  | 'imagine'
  | 'upscale'
  | 'variation'
  | 'high_variation'
  | 'low_variation'
  | 'reroll'
  | 'zoom'
  | 'pan'
  | 'blend';

/** A per-prompt directive for tests: the first rule whose `match` hits the prompt decides the outcome. */
export interface ScriptRule {
  /** A substring (case-insensitive) or a pattern tested against the raw prompt. */
  match: string | RegExp;
  outcome: JobOutcome;
  /** post-moderation: the last progress percentage shown before the job is killed (default 93). */
  stopAt?: number;
  /** post-moderation: end with `(Stopped)` (default) or delete the progress message. */
  stopStyle?: 'stopped' | 'deleted';
  /** ephemeral-moderation: delete the finished message this long after it appears (default: the bot's ephemeralDeleteMs). */
  deleteAfterMs?: number;
  /** ephemeral-moderation: delete the result after it appears (default), or post it as ephemeral (flag 64) instead. */
  ephemeralStyle?: 'deleted' | 'ephemeral';
  /** Overrides the job duration (simulated ms) for matching jobs. */
  durationMs?: number;
  /** never-answer: `false` also withholds the acknowledgement (INTERACTION_FAILURE); default true (acknowledged, then silence). */
  acknowledge?: boolean;
  /** How many jobs this rule applies to; unlimited when absent. */
  times?: number;
}

/** Everything the bot remembers about one job. */
export interface SimJobRecord {
  /** Midjourney's job UUID (also in the grid filename and the custom_ids). */
  id: string;
  /** The bot that ran the job: `midjourney` or `niji` (each answers its own application's interactions). */
  botType: SimBotType;
  /** The application the job's interaction was addressed to (the bot's). */
  applicationId: Snowflake;
  kind: SimJobKind;
  /** The prompt as sent. */
  prompt: string;
  /** The prompt as the bot echoes it (links shortened, whitespace collapsed). */
  echo: string;
  /** The interaction nonce. */
  nonce: Snowflake;
  interactionId: Snowflake;
  userId: Snowflake;
  channelId: Snowflake;
  outcome: JobOutcome;
  state: SimJobState;
  mode: BotMode;
  /** Last progress percentage shown (0 before any). */
  progress: number;
  /** Every channel message the job posted, in order (ephemeral ones included). */
  messageIds: Snowflake[];
  /** The final result message, once posted. */
  resultMessageId?: Snowflake;
  /** Simulated ms when the result was posted, and when ephemeral moderation deleted it. */
  resultPostedAt?: number;
  takenDownAt?: number;
  /** For button jobs: the job whose result was pressed, and the image index (1-4). */
  parentId?: string;
  index?: number;
  /** Simulated ms when the interaction was received / the job started / it ended. */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
}
