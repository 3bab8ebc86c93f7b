/**
 * The restart rule: what happens to a job that may already have been sent when a process starts
 * again (after a crash, a kill, a restart). Pure: `resume()` in the library, the batch runner and
 * the service all ask it, so "no job is ever paid for twice" holds the same way everywhere.
 *
 * Two facts decide, the evidence first:
 *  1. What the channel showed after the ticket's `afterMessageId` (`ResumeEvidence`):
 *     - `found`: a message of the job appeared: follow it to its outcome, whatever it is;
 *     - `unresolved`: a read of the channel failed, or the successful reads do not yet cover the
 *       grace window (`resumeGraceMs` from the start of the resume): keep looking, never resend.
 *       A failed read is not evidence. Reads keep being retried (backoff, through the limiter);
 *       at the job's hard deadline it ends as `ResumeUnresolvedError` (`RESUME_UNRESOLVED`): look
 *       again later, do not resend;
 *     - `not-found`: successful reads that started after the grace window read the whole channel
 *       after `afterMessageId` and showed nothing of the job.
 *  2. For `not-found` only, what is known of the send (the live counterpart is `send-rule.ts`: a
 *     POST is sent again only when the failure proves nothing was written):
 *     - `neverSent`: the caller proves the POST was never attempted (it recorded stopping before
 *       the send): nothing ran, `resend`, once (`JobNotFoundError`, the only "safe to resend"
 *       verdict);
 *     - not confirmed (`sendConfirmed` false: the ticket was stored, no 2xx seen): the process may
 *       have died before the POST, or while it was pending, written and held or refused by an
 *       ephemeral notice. That is an ambiguous send, exactly as a live POST that timed out (and
 *       looked for `ambiguousGraceMs` longer, as one): `fail`
 *       with `SubmissionUncertainError` (`SUBMISSION_UNCERTAIN`, not retryable: it may have run).
 *       The soak showed why: a batch killed while Discord held its POST resumed, read nothing for
 *       the resume grace, resent, and the held POST then ran too (`mjs000061q`);
 *     - confirmed: Discord accepted it, yet Midjourney showed nothing. That is what a refusal by
 *       an ephemeral notice looks like (most likely "Banned prompt detected", which polling cannot
 *       see, and a resumed job never sees: the gateway does not replay old notices), exactly as
 *       for a live job watched by polling: `fail` with `InferredPreModerationError` (not
 *       retryable). Resending could bill twice and resending a banned prompt risks the account.
 * When whether the send was confirmed is not known, it counts as confirmed: only proof that
 * nothing was written makes a resend safe.
 */

/** What the reads of the channel showed for a resumed job. */
export type ResumeEvidence = 'found' | 'unresolved' | 'not-found';

/** What to do with the job. */
export type RestartAction = 'follow' | 'keep-looking' | 'resend' | 'fail';

export interface RestartFacts {
  evidence: ResumeEvidence;
  /** Discord answered the interaction POST with a 2xx (recorded before the restart). */
  sendConfirmed: boolean;
  /** The caller proves the POST was never attempted. Default false. */
  neverSent?: boolean;
}

export function restartAction(facts: RestartFacts): RestartAction {
  switch (facts.evidence) {
    case 'found':
      return 'follow';
    case 'unresolved':
      return 'keep-looking';
    case 'not-found':
      return facts.neverSent === true && !facts.sendConfirmed ? 'resend' : 'fail';
  }
}

/**
 * The evidence an error from `resume()` carries, recognised by its stable code (so a Generator
 * from another copy of the package, or a test double, reads the same): `JOB_NOT_FOUND` is
 * `not-found`, `RESUME_UNRESOLVED` is `unresolved`. Undefined for anything else: the job's own
 * outcome (it was found), or an interruption (cancelled, closed), handled as for any job.
 */
export function resumeEvidenceOf(error: unknown): Exclude<ResumeEvidence, 'found'> | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (code === 'JOB_NOT_FOUND' || error.name === 'JobNotFoundError') return 'not-found';
  if (code === 'RESUME_UNRESOLVED' || error.name === 'ResumeUnresolvedError') return 'unresolved';
  return undefined;
}
