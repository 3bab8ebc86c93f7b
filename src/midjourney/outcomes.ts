/**
 * The outcome table: every wording Midjourney is known to use, one row each (sources:
 * /work/shared/MIDJOURNEY.md, midjourney-proxy's embed handlers, erictik/midjourney-api). The
 * classifier walks the rows in order and the first match wins, so embed titles come first,
 * descriptions, content and buttons next; colours are the fallback after the table. A new wording
 * is one new line here.
 */
import type { OutcomeKind } from './classifier.js';
import type { AccountNoticeReason } from './errors.js';

export interface OutcomeTraits {
  /** The job is over. */
  terminal: boolean;
  /** Sending the same job again later can succeed. */
  retryable: boolean;
  /** The account must stop submitting until a person acts. */
  accountFatal: boolean;
}

const RUNNING: OutcomeTraits = { terminal: false, retryable: false, accountFatal: false };
const FAILED: OutcomeTraits = { terminal: true, retryable: false, accountFatal: false };

/** What each outcome means for the job and the account. */
export const OUTCOME_TRAITS: Readonly<Record<OutcomeKind, OutcomeTraits>> = Object.freeze({
  success: { terminal: true, retryable: false, accountFatal: false },
  waiting: RUNNING,
  progress: RUNNING,
  noise: RUNNING,
  warning: RUNNING,
  'job-queued': RUNNING,
  'pre-moderation': FAILED,
  'post-moderation': FAILED,
  'ephemeral-moderation': FAILED,
  'queue-full': { terminal: true, retryable: true, accountFatal: false },
  'invalid-request': FAILED,
  'appeal-needed': FAILED,
  'credits-exhausted': FAILED,
  account: { terminal: true, retryable: false, accountFatal: true },
  'human-check': { terminal: true, retryable: false, accountFatal: true },
  'output-filter': FAILED,
  'job-failed': { terminal: true, retryable: true, accountFatal: false },
  'duplicate-images': FAILED,
  unknown: FAILED,
});

/** A text matcher: a string matches case-insensitively as a prefix, a RegExp as written. */
export type TextPattern = string | RegExp;

export interface OutcomeRule {
  /** Stable id, reported in `Classification.rule`. */
  id: string;
  outcome: OutcomeKind;
  /** Matches any embed's title. */
  title?: TextPattern;
  /** Matches any embed's description. */
  description?: TextPattern;
  /** Matches the message content. */
  content?: TextPattern;
  /** Matches any button's custom_id. */
  customId?: TextPattern;
  accountReason?: AccountNoticeReason;
  /** Suggested wait before retrying (ms). */
  retryAfter?: number;
}

export const OUTCOME_RULES: readonly OutcomeRule[] = [
  // Human check before appeal: both titles read "Action ... to continue".
  { id: 'captcha-button', outcome: 'human-check', customId: /^MJ::(Captcha|iframe)/i },
  { id: 'verify-human', outcome: 'human-check', description: /verify (that )?you('|’)?re (a )?human/i },
  { id: 'action-required', outcome: 'human-check', title: 'Action required to continue' },
  { id: 'action-needed', outcome: 'appeal-needed', title: 'Action needed to continue' },

  { id: 'banned-prompt', outcome: 'pre-moderation', title: /^banned (image )?prompt/i },
  { id: 'image-denied', outcome: 'pre-moderation', title: 'Image denied' },
  { id: 'banned-words', outcome: 'pre-moderation', title: /^(banned|prohibited) words?/i },

  { id: 'job-queued', outcome: 'job-queued', title: 'Job queued' },
  { id: 'queue-full', outcome: 'queue-full', title: 'Queue full', retryAfter: 30_000 },
  { id: 'slow-down', outcome: 'queue-full', title: /^slow down/i, retryAfter: 60_000 },

  { id: 'invalid-parameter', outcome: 'invalid-request', title: /^invalid parameters?/i },
  { id: 'unrecognized-parameter', outcome: 'invalid-request', title: /^unrecognized (parameter|argument)/i },
  { id: 'invalid-prompt', outcome: 'invalid-request', title: 'Invalid prompt' },
  { id: 'invalid-link', outcome: 'invalid-request', title: 'Invalid link' },
  { id: 'invalid-request', outcome: 'invalid-request', title: 'Invalid request' },
  { id: 'empty-prompt', outcome: 'invalid-request', title: 'Empty prompt' },
  { id: 'prompt-too-long', outcome: 'invalid-request', title: /^prompt (is )?too long/i },
  { id: 'job-action-restricted', outcome: 'invalid-request', title: 'Job action restricted' },
  {
    id: 'incompatible-parameters',
    outcome: 'invalid-request',
    title: /^incompatible (parameters|arguments)/i,
  },

  { id: 'credits-exhausted', outcome: 'credits-exhausted', title: 'Credits exhausted' },
  {
    id: 'fast-hours-exhausted',
    outcome: 'credits-exhausted',
    title: /^(fast hours|fast time) (exhausted|used up)/i,
  },
  { id: 'out-of-fast-hours', outcome: 'credits-exhausted', description: /run out of fast hours/i },

  {
    id: 'pending-mod-message',
    outcome: 'account',
    title: 'Pending mod message',
    accountReason: 'pending-mod-message',
  },
  { id: 'blocked', outcome: 'account', title: /^(temporarily )?blocked\b/i, accountReason: 'blocked' },
  { id: 'banned-account', outcome: 'account', title: /^(account )?banned$/i, accountReason: 'blocked' },
  { id: 'plan-cancelled', outcome: 'account', title: /^plan cancel+ed/i, accountReason: 'plan-cancelled' },
  {
    id: 'subscription-required',
    outcome: 'account',
    title: 'Subscription required',
    accountReason: 'subscription-required',
  },
  {
    id: 'subscription-paused',
    outcome: 'account',
    title: 'Subscription paused',
    accountReason: 'subscription-paused',
  },
  {
    id: 'subscription-expired',
    outcome: 'account',
    title: /^subscription expired/i,
    accountReason: 'subscription-required',
  },
  {
    id: 'tos-not-accepted',
    outcome: 'account',
    title: /^tos not accepted/i,
    accountReason: 'tos-not-accepted',
  },

  { id: 'output-filter', outcome: 'output-filter', title: /^request cancel+ed due to output filters?/i },
  { id: 'duplicate-images', outcome: 'duplicate-images', title: 'Duplicate images detected' },

  { id: 'could-not-complete', outcome: 'job-failed', title: /^sorry! could not complete the job/i },
  { id: 'internal-error', outcome: 'job-failed', title: 'Internal error' },
  { id: 'could-not-complete-text', outcome: 'job-failed', content: /^sorry! could not complete the job/i },
  { id: 'failed-text', outcome: 'job-failed', content: /^failed\b/i },

  // A notice whose only clue is an Appeal button (a banned-prompt notice has one too, matched above).
  { id: 'appeal-button', outcome: 'appeal-needed', customId: 'MJ::Prompts::Appeal::' },

  // Families rather than exact wordings, after every exact title (as midjourney-proxy does).
  { id: 'invalid-family', outcome: 'invalid-request', title: /^invalid\b/i },
  { id: 'denied-family', outcome: 'pre-moderation', title: /\b(denied|banned)\b/i },
];
