/**
 * The restart rule, as pure decisions. A job's stored status says how far it got:
 * - `queued` (no ticket): the generator never called onSubmit, so nothing was sent: submit it.
 * - `submitting` (ticket stored, Discord's acceptance never seen), `submitted` (Discord answered
 *   204) and `running` (the bot showed it): resume it with `generator.resume(ticket)`, which looks
 *   for it in the channel after the ticket's `afterMessageId` and follows it to the end.
 * If `resume` finds nothing (JobNotFoundError):
 * - a `submitting` job was never confirmed sent and left no trace: submitting it now cannot pay
 *   twice, so it is submitted;
 * - a `submitted` or `running` job was accepted by Discord: a second submission could run (and
 *   bill) it twice, and the silence may be a moderation notice only the gateway shows; it fails
 *   with the JobNotFoundError instead, for the client to decide.
 */
import type { JobRecord } from '../jobs/job.js';

export type RecoveryStep = { kind: 'submit' } | { kind: 'resume' } | { kind: 'fail'; reason: string };

/** What to do with an unfinished job at start; `hasSource` tells whether a button job's source result is stored. */
export function planRecovery(job: JobRecord, hasSource: boolean): RecoveryStep {
  if (job.kind !== 'imagine' && !hasSource) {
    return { kind: 'fail', reason: `source job ${job.parentId ?? '(none)'} has no result to act on` };
  }
  return job.ticket === null || job.status === 'queued' ? { kind: 'submit' } : { kind: 'resume' };
}

/** After `resume` found nothing: submit again only if the job was never confirmed sent. */
export function afterNotFound(job: JobRecord): 'resubmit' | 'fail' {
  return job.status === 'submitting' ? 'resubmit' : 'fail';
}
