/**
 * One job in flight in the runner: its current record, its claim, its cancel switch, its circuit
 * permit, and its writes to the store, serialised so a slow store cannot reorder them. Every
 * change is stored first, then announced with the version that was stored.
 *
 * Every write is fenced with the job's claim (JobStore.saveClaimed). When the store refuses one
 * because the claim is no longer current (another instance took the job over after this one
 * stalled), the job is aborted here and nothing more is written or sent for it: the new owner
 * drives it from what is stored.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../util/clock.js';
import type { JobRecord } from '../jobs/job.js';
import { isJobClaimLostError, type JobClaim, JobClaimLostError } from '../jobs/job-claim.js';
import type { JobStore } from '../jobs/job-store.js';
import type { CircuitPermit } from '../protection/circuit-breaker.js';
import type { JobEventType } from './job-events.js';

export interface ActiveJobDeps {
  store: JobStore;
  clock: Clock;
  logger: Logger;
  announce: (job: JobRecord, type: JobEventType) => void;
}

/** What became of one write. */
type WriteResult = 'stored' | 'failed' | 'claim-lost';

export class ActiveJob {
  readonly controller = new AbortController();
  cancelRequested = false;
  /** Settles when the generator call and its bookkeeping are done. */
  done: Promise<void> = Promise.resolve();
  /** Set once the claim is found lost: the job is no longer this runner's to drive. */
  claimLost: JobClaimLostError | null = null;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    public record: JobRecord,
    /** The claim every write of this job carries; renewed by the runner's heartbeat. */
    public claim: JobClaim,
    public permit: CircuitPermit | null,
    private readonly deps: ActiveJobDeps,
  ) {}

  get id(): string {
    return this.record.id;
  }

  /**
   * Applies `patch`, stores it, then announces this version (not what the job has become since).
   * Resolves true when the store took it. Never rejects: it is called from event handlers with
   * nobody to await it, and a failure here (a record that cannot be copied, a listener that
   * throws) is logged, not left to become an unhandled rejection that ends the process. A store
   * failure is logged by `persist`. Nothing is applied once the claim is lost.
   */
  async update(patch: Partial<JobRecord>, type: JobEventType): Promise<boolean> {
    if (this.claimLost !== null) return false;
    this.record = { ...this.record, ...patch, updatedAt: this.deps.clock.now() };
    let snapshot: JobRecord;
    try {
      snapshot = structuredClone(this.record);
    } catch (error) {
      this.deps.logger.error({ err: error, jobId: this.id }, 'could not copy job record');
      return (await this.persist()) === 'stored';
    }
    const result = await this.persist();
    if (result !== 'claim-lost') {
      try {
        this.deps.announce(snapshot, type);
      } catch (error) {
        this.deps.logger.error({ err: error, jobId: this.id, type }, 'a job change listener failed');
      }
    }
    return result === 'stored';
  }

  /** A terminal update: also stamps `finishedAt`. */
  async finish(patch: Partial<JobRecord>, type: JobEventType): Promise<boolean> {
    // A Vary (Region) mask is needed only until the job ends: the stored job drops it then.
    const mask = this.record.mask ? { mask: null } : {};
    return this.update({ ...patch, ...mask, finishedAt: this.deps.clock.now() }, type);
  }

  /** Stores the current record under the claim, after the writes issued before it. */
  persist(): Promise<WriteResult> {
    const snapshot = this.record;
    const write = this.writing.then(async (): Promise<WriteResult> => {
      if (this.claimLost !== null) return 'claim-lost';
      try {
        await this.deps.store.saveClaimed(snapshot, this.claim);
        return 'stored';
      } catch (error) {
        if (isJobClaimLostError(error)) {
          this.loseClaim(error);
          return 'claim-lost';
        }
        this.deps.logger.error({ err: error, jobId: snapshot.id }, 'could not store job');
        return 'failed';
      }
    });
    this.writing = write;
    return write;
  }

  /** The claim is gone: stop driving the job (the generator sees the abort; nothing more is stored). */
  loseClaim(error: JobClaimLostError = new JobClaimLostError(this.claim)): void {
    if (this.claimLost !== null) return;
    this.claimLost = error;
    this.deps.logger.warn(
      { jobId: this.id, fence: this.claim.fence },
      'job claim lost: another instance drives this job now; stopping here',
    );
    this.controller.abort(error);
  }

  /** Resolves when every write issued so far is done. */
  async flushed(): Promise<void> {
    await this.writing;
  }
}
