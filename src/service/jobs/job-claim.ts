/**
 * Job claims: which service instance drives a job. A runner claims a job before it sends
 * anything for it (a new job is inserted already claimed; a recovered one is claimed before it
 * is resumed or submitted), renews its claims on a heartbeat, and makes every write of the job
 * with the claim. Each claim of a job gets the next fencing token (`fence`); the store accepts a
 * write only while the writer's fence is the job's latest and its claim has not expired, so a
 * process that stalled past its expiry (and was replaced by a survivor) can no longer store a
 * ticket, and therefore never sends the interaction (the generator awaits `onSubmit` before the
 * POST).
 *
 * Time is the store's: `expiresAt` is measured by the store's clock (one machine's for SQLite, the
 * server's for a shared database), never compared across machines.
 */
import { WorkerError } from '../../errors.js';

/** Proof that `owner` drives job `jobId`, valid while `fence` is the job's latest and `expiresAt` is ahead. */
export interface JobClaim {
  readonly jobId: string;
  /** The claiming service instance (random per process). */
  readonly owner: string;
  /** Fencing token: 1 for the job's first claim, one more at each later claim. Never reused. */
  readonly fence: number;
  /** ms since the epoch, by the store's clock. */
  readonly expiresAt: number;
}

/** Longest claim lifetime the runner accepts: a dead owner's jobs wait at most this long. */
export const MAX_CLAIM_TTL_MS = 30_000;

/** A write or renewal under a claim that is no longer current: another owner claimed the job, or it expired. */
export class JobClaimLostError extends WorkerError {
  override readonly name = 'JobClaimLostError';
  readonly code = 'JOB_CLAIM_LOST';
  readonly jobId: string;
  readonly owner: string;
  readonly fence: number;
  constructor(claim: JobClaim) {
    super(
      `Job ${claim.jobId}: claim ${claim.fence} of ${claim.owner} is no longer current (expired or claimed by another instance)`,
    );
    this.jobId = claim.jobId;
    this.owner = claim.owner;
    this.fence = claim.fence;
  }
}

export function isJobClaimLostError(value: unknown): value is JobClaimLostError {
  return value instanceof JobClaimLostError;
}

/**
 * `insertClaimed` refused: the store already holds its cap of unfinished jobs (a cluster's
 * MJW_MAX_ACTIVE_JOBS, counted in Redis across every node). The runner answers SERVICE_BUSY.
 */
export class OpenJobsCapError extends WorkerError {
  override readonly name = 'OpenJobsCapError';
  readonly code = 'OPEN_JOBS_CAP';
  constructor(
    readonly openJobs: number,
    readonly cap: number,
  ) {
    super(`The store already holds ${openJobs} unfinished jobs (cap ${cap})`, { retryable: true });
  }
}

/** `insert` / `insertClaimed` of an id that is already stored. */
export class JobExistsError extends WorkerError {
  override readonly name = 'JobExistsError';
  readonly code = 'JOB_EXISTS';
  constructor(readonly jobId: string) {
    super(`Job ${jobId} already exists`);
  }
}
