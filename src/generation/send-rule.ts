/**
 * The send rule: what may follow a failed interaction POST of a live job. Pure: `submit.ts`
 * applies it; its restart counterpart is `restart-rule.ts`. Both serve one promise: no job is
 * ever paid for twice, so a POST is sent again only when the failure proves the first one ran
 * nothing.
 *
 * The failure, strongest proof first:
 *  1. Discord refused it with an outdated command version (a 4xx answer: nothing ran): refresh
 *     the command and send once more, at most once (`refresh-and-resend`).
 *  2. The POST may have been written (`isAmbiguousSubmission`: a timeout, a socket closed or reset
 *     after connecting, a 5xx, a malformed 2xx): it is never sent again (`watch`). Waiting for the
 *     job's messages cannot replace a resend decision:
 *     - a request Discord held past our timeout is processed when Discord gets to it, so the job
 *       may appear after any grace we count from our timeout (the soak's `delay` fault: the 204
 *       and the bot's start 2.5 s after the POST, our timeout at 2 s);
 *     - when polling, "nothing appeared" is also what an ephemeral refusal (pre-moderation) looks
 *       like, so silence cannot tell "never arrived" from "arrived and refused".
 *     The job is watched like any other; if nothing of it shows within the silence window, it
 *     rejects with `SubmissionUncertainError` (`SUBMISSION_UNCERTAIN`, not retryable): it may
 *     have run. Losing a job that never arrived is the price; paying twice is worse.
 *  3. Anything else (a 4xx, an error the REST layer proved happened before anything was written
 *     and already retried, a local failure): `fail` with it, unless an earlier POST of the same
 *     job may have been written, in which case that one may still run: `watch`.
 * A connect error (`ECONNREFUSED`, DNS, connect timeout) is not ambiguous: nothing was written, and
 * the REST client retries it itself before the rule is ever asked.
 */
import { isAmbiguousSubmission } from '../discord/rest/errors.js';
import { isOutdatedCommandError } from '../midjourney/commands.js';

/** What to do after a failed POST. */
export type SendFailureAction = 'refresh-and-resend' | 'watch' | 'fail';

export interface SendFailureFacts {
  /** The POST's failure. */
  error: unknown;
  /** The command was already refreshed once for this job (no second refresh). */
  refreshed: boolean;
  /** The job can refresh its command (slash commands; not button presses). */
  canRefresh: boolean;
  /** An earlier POST of this job may have reached Discord. */
  maybeSentBefore: boolean;
}

export function sendFailureAction(facts: SendFailureFacts): SendFailureAction {
  if (!facts.refreshed && facts.canRefresh && !facts.maybeSentBefore && isOutdatedCommandError(facts.error)) {
    return 'refresh-and-resend';
  }
  if (isAmbiguousSubmission(facts.error)) return 'watch';
  return facts.maybeSentBefore ? 'watch' : 'fail';
}
