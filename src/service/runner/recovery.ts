/**
 * The service's side of the restart rule (src/generation/restart-rule.ts, one rule for the
 * library, the batch runner and the service), as pure decisions over a stored job. Its status
 * says how far it got:
 * - `queued` (no ticket): the generator never called onSubmit, so nothing was sent: submit it.
 * - `submitting` (ticket stored, Discord's answer never seen), `submitted` (Discord answered 2xx)
 *   and `running` (the bot showed it): resume it with `generator.resume(ticket, { sendConfirmed })`,
 *   which looks for it in the channel after the ticket's `afterMessageId` and follows it to the end.
 *   `sendConfirmed` is true for `submitted` and `running`.
 * When `resume` rejects, the rule decides:
 * - not found (complete, successful reads show nothing) and never confirmed sent: the POST may
 *   have been pending when the process died (written, then held or refused unseen), an ambiguous
 *   send like a live timeout (send-rule.ts): never resubmitted; it fails with the generator's
 *   `SubmissionUncertainError` (`SUBMISSION_UNCERTAIN`: it may have run). A `resend` verdict
 *   would need proof that the POST was never attempted, which a stored status cannot give;
 * - not found but confirmed: never resubmitted (a second submission could run and bill it twice,
 *   and the silence is most likely a refusal only the gateway shows): it fails, with the
 *   generator's verdict (`InferredPreModerationError` from the library);
 * - unresolved (reads kept failing until the job's deadline, `RESUME_UNRESOLVED`): never
 *   resubmitted; it fails with that error, which tells the client not to resend blindly.
 */
import { type RestartAction, restartAction, resumeEvidenceOf } from '../../generation/restart-rule.js';
import type { JobRecord } from '../jobs/job.js';

export type RecoveryStep = { kind: 'submit' } | { kind: 'resume' } | { kind: 'fail'; reason: string };

/** What to do with an unfinished job at start; `hasSource` tells whether a button job's source result is stored. */
export function planRecovery(job: JobRecord, hasSource: boolean): RecoveryStep {
  if (job.kind !== 'imagine' && !hasSource) {
    return { kind: 'fail', reason: `source job ${job.parentId ?? '(none)'} has no result to act on` };
  }
  return job.ticket === null || job.status === 'queued' ? { kind: 'submit' } : { kind: 'resume' };
}

/** Whether Discord confirmed the job's send before the restart: its status got past `submitting`. */
export function sendConfirmed(job: JobRecord): boolean {
  return job.status === 'submitted' || job.status === 'running';
}

/**
 * After `resume` rejected with `error`: the rule's action, or undefined when the error is the
 * job's own outcome (or an interruption), handled as for any job.
 */
export function afterResumeError(job: JobRecord, error: unknown): RestartAction | undefined {
  const evidence = resumeEvidenceOf(error);
  return evidence === undefined ? undefined : restartAction({ evidence, sendConfirmed: sendConfirmed(job) });
}

/** After `resume` found nothing: submit again only if the job was never confirmed sent. */
export function afterNotFound(job: JobRecord): 'resubmit' | 'fail' {
  return restartAction({ evidence: 'not-found', sendConfirmed: sendConfirmed(job) }) === 'resend'
    ? 'resubmit'
    : 'fail';
}
