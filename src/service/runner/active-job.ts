/**
 * One job in flight in the runner: its current record, its cancel switch, its circuit permit,
 * and its writes to the store, serialised so a slow store cannot reorder them. Every change is
 * stored first, then announced with the version that was stored.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../util/clock.js';
import type { JobRecord } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import type { CircuitPermit } from '../protection/circuit-breaker.js';
import type { JobEventType } from './job-events.js';

export interface ActiveJobDeps {
  store: JobStore;
  clock: Clock;
  logger: Logger;
  announce: (job: JobRecord, type: JobEventType) => void;
}

export class ActiveJob {
  readonly controller = new AbortController();
  cancelRequested = false;
  /** Settles when the generator call and its bookkeeping are done. */
  done: Promise<void> = Promise.resolve();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    public record: JobRecord,
    public permit: CircuitPermit | null,
    private readonly deps: ActiveJobDeps,
  ) {}

  get id(): string {
    return this.record.id;
  }

  /**
   * Applies `patch`, stores it, then announces this version (not what the job has become since).
   * Never rejects: it is called from event handlers with nobody to await it, and a failure here
   * (a record that cannot be copied, a listener that throws) is logged, not left to become an
   * unhandled rejection that ends the process. A store failure is logged by `persist`.
   */
  async update(patch: Partial<JobRecord>, type: JobEventType): Promise<void> {
    this.record = { ...this.record, ...patch, updatedAt: this.deps.clock.now() };
    let snapshot: JobRecord;
    try {
      snapshot = structuredClone(this.record);
    } catch (error) {
      this.deps.logger.error({ err: error, jobId: this.id }, 'could not copy job record');
      await this.persist();
      return;
    }
    await this.persist();
    try {
      this.deps.announce(snapshot, type);
    } catch (error) {
      this.deps.logger.error({ err: error, jobId: this.id, type }, 'a job change listener failed');
    }
  }

  /** A terminal update: also stamps `finishedAt`. */
  async finish(patch: Partial<JobRecord>, type: JobEventType): Promise<void> {
    await this.update({ ...patch, finishedAt: this.deps.clock.now() }, type);
  }

  persist(): Promise<void> {
    const snapshot = this.record;
    this.writing = this.writing
      .then(() => this.deps.store.save(snapshot))
      .catch((error: unknown) => {
        this.deps.logger.error({ err: error, jobId: snapshot.id }, 'could not store job');
      });
    return this.writing;
  }

  /** Resolves when every write issued so far is done. */
  flushed(): Promise<void> {
    return this.writing;
  }
}
