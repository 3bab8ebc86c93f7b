/**
 * What a failed job means for its account, and whether the job may go to another account. A pure
 * decision over data; the pool only applies it. The rule:
 *
 * 1. Account-level outcomes take the account out of routing, with a reason:
 *    - CREDITS_EXHAUSTED: `relax` when the account's policy is `onCreditsExhausted: "relax"` and
 *      it is not in relax mode already, else disabled `credits-exhausted`;
 *    - ACCOUNT_NOTICE (blocked, subscription, plan, ToS, pending mod message): disabled with the
 *      notice's reason; HUMAN_CHECK: `human-check`; APPEAL_NEEDED: `appeal-needed`;
 *      TOKEN_INVALID (Discord's 401): `token-invalid`;
 *    - DAILY_CAP_REACHED (the client's own cap): paused until the window frees a submission.
 * 2. A job moves to another account only when it is known not to have started, and only once:
 *    - Midjourney refused it before starting: QUEUE_FULL, CREDITS_EXHAUSTED, ACCOUNT_NOTICE,
 *      HUMAN_CHECK;
 *    - nothing was sent: DAILY_CAP_REACHED (refused locally), TOKEN_INVALID before the ticket or
 *      on the `POST /interactions` itself (Discord refused the interaction).
 *    Everything else may have started (a timeout, a network error after sending, moderation, a
 *    failure during generation): it is never sent again, anywhere. APPEAL_NEEDED disables the
 *    account but the prompt is not moved: it is the prompt moderation wants appealed, and another
 *    account would only risk the same.
 * 3. A job pinned to its account (asked with `account`, or a button on that account's result)
 *    never moves; nor does one whose caller cancelled it.
 */
import type { CreditsExhaustedPolicy } from '../config/accounts.js';
import type { GenerationMode } from '../generation/types.js';

export interface OutcomeFacts {
  /** The error's `code`, if it has one. */
  code: string | undefined;
  /** AccountError's `reason` (blocked, subscription-required, ...). */
  noticeReason?: string | undefined;
  /** TokenInvalidError's `route`. */
  route?: string | undefined;
  /** The ticket was handed to `onSubmit`: from there on the interaction may have been sent. */
  submitted: boolean;
  /** The job has already moved once. */
  moved: boolean;
  /** The job must stay on this account. */
  pinned: boolean;
  /** The caller cancelled the job. */
  aborted: boolean;
  /** ms until the client's daily window frees a submission (DailyCapReachedError). */
  retryAfterMs?: number | undefined;
  onCreditsExhausted: CreditsExhaustedPolicy;
  /** The account's mode now. */
  mode: GenerationMode;
}

export type AccountEffect =
  | { kind: 'none' }
  | { kind: 'disable'; reason: string }
  | { kind: 'relax' }
  | { kind: 'pause'; forMs: number };

export interface OutcomeDecision {
  account: AccountEffect;
  /** Send the job to another account. */
  reroute: boolean;
}

export type OutcomeRow = {
  effect: (facts: OutcomeFacts) => AccountEffect;
  /** The job is known not to have started on this account. */
  notStarted: (facts: OutcomeFacts) => boolean;
};

const always = (): boolean => true;
const never = (): boolean => false;
const disable = (reason: string) => (): AccountEffect => ({ kind: 'disable', reason });

/** By error code; codes not listed leave the account alone and never move the job. */
const TABLE: Record<string, OutcomeRow> = {
  QUEUE_FULL: { effect: () => ({ kind: 'none' }), notStarted: always },
  CREDITS_EXHAUSTED: {
    effect: (f) =>
      f.onCreditsExhausted === 'relax' && f.mode !== 'relax'
        ? { kind: 'relax' }
        : { kind: 'disable', reason: 'credits-exhausted' },
    notStarted: always,
  },
  ACCOUNT_NOTICE: {
    effect: (f) => ({ kind: 'disable', reason: f.noticeReason ?? 'account-notice' }),
    notStarted: always,
  },
  HUMAN_CHECK: { effect: disable('human-check'), notStarted: always },
  APPEAL_NEEDED: { effect: disable('appeal-needed'), notStarted: never },
  TOKEN_INVALID: {
    effect: disable('token-invalid'),
    notStarted: (f) => !f.submitted || f.route === 'POST /interactions',
  },
  DAILY_CAP_REACHED: {
    effect: (f) => ({ kind: 'pause', forMs: Math.max(0, f.retryAfterMs ?? 0) }),
    notStarted: always,
  },
};
export const OUTCOME_TABLE: Readonly<Record<string, OutcomeRow>> = Object.freeze(TABLE);

export function decideOutcome(facts: OutcomeFacts): OutcomeDecision {
  const row = facts.code === undefined ? undefined : OUTCOME_TABLE[facts.code];
  if (row === undefined) return { account: { kind: 'none' }, reroute: false };
  const reroute = row.notStarted(facts) && !facts.moved && !facts.pinned && !facts.aborted;
  return { account: row.effect(facts), reroute };
}
