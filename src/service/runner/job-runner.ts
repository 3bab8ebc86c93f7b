/**
 * Runs the service's jobs through the Generator and keeps the store in step with them. The store
 * is written before anything is sent: the job when it is accepted (`queued`), the ticket in the
 * generator's awaited `onSubmit` (`submitting`), so after a crash every job can be found again.
 * See `recover()` for the restart rule. Changes are announced as `change` events (SSE, webhooks,
 * metrics listen).
 */
import { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';
import type {
  GenerationResult,
  Generator,
  JobOptions,
  JobRef,
  ProgressInfo,
  SubmissionTicket,
} from '../../generation/types.js';
import type { Clock } from '../../util/clock.js';
import { systemClock } from '../../util/clock.js';
import { silentLogger } from '../../util/logger.js';
import { JobStateError, ServiceBusyError, ServiceClosingError, UnknownJobError } from '../errors.js';
import { createJobRecord, isTerminal, JobIdFactory, type JobRecord, type NewJob } from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import type { CircuitBreaker, CircuitPermit } from '../protection/circuit-breaker.js';
import { CANCELLED_OUTCOME, classifyFailure, isJobNotFound, toOutcomeError } from './outcome.js';

/** What changed: a new status, progress, Midjourney's "Job queued" notice, or a terminal outcome. */
export type JobEventType = 'status' | 'progress' | 'notice' | 'completed' | 'failed' | 'cancelled';

export interface JobRunnerEvents {
  /** `job` is a snapshot taken after the change was stored. */
  change: [job: JobRecord, type: JobEventType];
}

export interface JobRunnerOptions {
  generator: Generator;
  store: JobStore;
  breaker: CircuitBreaker;
  clock?: Clock;
  logger?: Logger;
  /** Jobs in flight at once before submissions get ServiceBusyError. Default 100. */
  maxActiveJobs?: number;
}

export interface RecoveryReport {
  /** Jobs followed again with `generator.resume(ticket)`. */
  resumed: number;
  /** Jobs submitted (again), because nothing of them had been sent. */
  submitted: number;
  /** Jobs that could not be recovered and were marked failed. */
  failed: number;
}

interface ActiveJob {
  record: JobRecord;
  controller: AbortController;
  permit: CircuitPermit | null;
  cancelRequested: boolean;
  /** Settles when the generator call and its bookkeeping are done. */
  done: Promise<void>;
  /** Serialises writes of this job so a slow store cannot reorder them. */
  writing: Promise<void>;
}

export class JobRunner extends EventEmitter<JobRunnerEvents> {
  private readonly generator: Generator;
  private readonly store: JobStore;
  private readonly breaker: CircuitBreaker;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxActiveJobs: number;
  private readonly ids: JobIdFactory;
  private readonly active = new Map<string, ActiveJob>();
  /** Interaction nonce -> service job id, to route the generator's events. */
  private readonly byNonce = new Map<string, string>();
  /** Orchestrator job id (JobRef.id) -> service job id. */
  private readonly byRef = new Map<string, string>();
  private closing = false;
  private readonly unsubscribe: () => void;

  constructor(options: JobRunnerOptions) {
    super();
    this.generator = options.generator;
    this.store = options.store;
    this.breaker = options.breaker;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.maxActiveJobs = options.maxActiveJobs ?? 100;
    this.ids = new JobIdFactory(() => this.clock.now());
    this.unsubscribe = this.listen();
  }

  /** Seeds the id factory from the store; call once before accepting jobs. */
  async init(): Promise<void> {
    this.ids.seed(await this.store.maxId());
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Jobs accepted but not yet handed to Discord (waiting for a slot in the generator). */
  get waitingCount(): number {
    let n = 0;
    for (const job of this.active.values()) if (job.record.status === 'queued') n += 1;
    return n;
  }

  private listen(): () => void {
    const onSubmitted = (ref: JobRef, ticket: SubmissionTicket): void => {
      const id = this.byNonce.get(ticket.nonce);
      const job = id === undefined ? undefined : this.active.get(id);
      if (job === undefined) return;
      this.byRef.set(ref.id, job.record.id);
      // Discord accepted the interaction: the breaker has its verdict, the job its proof of sending.
      job.permit?.success();
      if (job.record.status === 'submitting') this.update(job, { status: 'submitted' }, 'status');
    };
    const onQueued = (ref: JobRef, notice: string): void => {
      const job = this.refJob(ref);
      if (job) this.update(job, { notice }, 'notice');
    };
    const onStarted = (ref: JobRef): void => {
      const job = this.refJob(ref);
      if (job) this.markRunning(job);
    };
    this.generator.on('submitted', onSubmitted);
    this.generator.on('queued', onQueued);
    this.generator.on('started', onStarted);
    return () => {
      this.generator.off('submitted', onSubmitted);
      this.generator.off('queued', onQueued);
      this.generator.off('started', onStarted);
    };
  }

  private refJob(ref: JobRef): ActiveJob | undefined {
    const id = this.byRef.get(ref.id);
    return id === undefined ? undefined : this.active.get(id);
  }

  /** Accepts a new job: stores it, then starts it. Throws CircuitOpenError, ServiceBusyError. */
  async submit(input: NewJob, source?: GenerationResult): Promise<JobRecord> {
    if (this.closing) throw new ServiceClosingError();
    if (this.active.size >= this.maxActiveJobs) throw new ServiceBusyError(this.active.size, 5_000);
    if (input.kind !== 'imagine' && (source === undefined || !input.action)) {
      throw new TypeError('an action job needs the source result and the action');
    }
    const permit = this.breaker.acquire();
    const record = createJobRecord(this.ids.next(), input, this.clock.now());
    try {
      await this.store.insert(record);
    } catch (error) {
      permit.release();
      throw error;
    }
    this.start(record, 'submit', permit, source);
    return structuredClone(record);
  }

  private start(
    record: JobRecord,
    mode: 'submit' | 'resume',
    permit: CircuitPermit | null,
    source?: GenerationResult,
  ): void {
    const job: ActiveJob = {
      record,
      controller: new AbortController(),
      permit,
      cancelRequested: false,
      done: Promise.resolve(),
      writing: Promise.resolve(),
    };
    this.active.set(record.id, job);
    job.done = this.run(job, mode, source);
  }

  private async run(job: ActiveJob, mode: 'submit' | 'resume', source?: GenerationResult): Promise<void> {
    const { record } = job;
    const log = this.logger.child({ jobId: record.id });
    const options: JobOptions = {
      signal: job.controller.signal,
      onSubmit: (ticket) => this.onSubmit(job, ticket),
      onProgress: (progress) => this.onProgress(job, progress),
    };
    try {
      let result: GenerationResult;
      if (mode === 'resume' && record.ticket !== null) {
        log.info({ nonce: record.ticket.nonce }, 'resuming job after restart');
        this.byNonce.set(record.ticket.nonce, record.id);
        result = await this.generator.resume(record.ticket, options);
      } else if (record.kind === 'imagine') {
        result = await this.generator.imagine(record.prompt, options);
      } else {
        result = await this.generator.act(source!, record.action!, options);
      }
      job.permit?.success();
      await this.finish(job, {
        status: 'succeeded',
        result,
        progress: 100,
        previewUrl: null,
        notice: null,
        mode: result.mode ?? record.mode,
        startedAt: record.startedAt ?? result.timings.startedAt ?? null,
      });
      log.info({ mjJobId: result.jobId }, 'job succeeded');
    } catch (error) {
      await this.onError(job, error, mode, source);
    } finally {
      if (this.active.get(record.id) === job && (isTerminal(job.record.status) || this.closing)) {
        this.forget(job);
      }
    }
  }

  private async onError(
    job: ActiveJob,
    error: unknown,
    mode: 'submit' | 'resume',
    source?: GenerationResult,
  ) {
    const { record } = job;
    // Shutting down: the store keeps the job as it stands, and the next start recovers it.
    if (this.closing) {
      job.permit?.release();
      return;
    }
    if (job.cancelRequested) {
      job.permit?.release();
      await this.finish(job, { status: 'cancelled', error: CANCELLED_OUTCOME }, 'cancelled');
      return;
    }
    if (mode === 'resume' && isJobNotFound(error) && record.status === 'submitting') {
      // The ticket was stored but Discord never confirmed the interaction, and nothing of the job
      // is in the channel: it was never sent, so sending it now cannot pay twice.
      this.logger.warn(
        { jobId: record.id },
        'job not found after restart and never confirmed sent: submitting it',
      );
      await this.resubmit(job, source);
      return;
    }
    const kind = classifyFailure(error);
    if (kind === 'fatal' || kind === 'transport')
      job.permit?.failure((error as Error).message, kind === 'fatal');
    else if (kind === 'outcome') job.permit?.success();
    else job.permit?.release();
    const outcome = toOutcomeError(error);
    this.logger.info({ jobId: record.id, code: outcome.code }, 'job failed');
    await this.finish(job, { status: 'failed', error: outcome, previewUrl: null }, 'failed');
  }

  private async resubmit(job: ActiveJob, source?: GenerationResult): Promise<void> {
    let permit: CircuitPermit;
    try {
      permit = this.breaker.acquire();
    } catch (error) {
      await this.finish(job, { status: 'failed', error: toOutcomeError(error) }, 'failed');
      return;
    }
    job.permit = permit;
    job.record = { ...job.record, status: 'queued', ticket: null, updatedAt: this.clock.now() };
    await this.persist(job);
    this.emit('change', structuredClone(job.record), 'status');
    await this.run(job, 'submit', source);
  }

  private async onSubmit(job: ActiveJob, ticket: SubmissionTicket): Promise<void> {
    this.byNonce.set(ticket.nonce, job.record.id);
    // Awaited by the generator before it sends: once this resolves the ticket is durable.
    await this.update(
      job,
      {
        status: 'submitting',
        ticket,
        submittedAt: ticket.submittedAt,
        submissions: job.record.submissions + 1,
      },
      'status',
    );
  }

  private markRunning(job: ActiveJob): void {
    if (job.record.status === 'running' || isTerminal(job.record.status)) return;
    void this.update(
      job,
      { status: 'running', startedAt: job.record.startedAt ?? this.clock.now() },
      'status',
    );
  }

  private onProgress(job: ActiveJob, progress: ProgressInfo): void {
    if (isTerminal(job.record.status)) return;
    void this.update(
      job,
      {
        status: 'running',
        startedAt: job.record.startedAt ?? this.clock.now(),
        progress: Math.max(0, Math.min(100, progress.percent)),
        previewUrl: progress.previewUrl ?? job.record.previewUrl,
        mode: progress.mode ?? job.record.mode,
        notice: null,
      },
      'progress',
    );
  }

  private async update(job: ActiveJob, patch: Partial<JobRecord>, type: JobEventType): Promise<void> {
    job.record = { ...job.record, ...patch, updatedAt: this.clock.now() };
    // Announce this version, not whatever the job has become by the time the write is done.
    const snapshot = structuredClone(job.record);
    await this.persist(job);
    this.emit('change', snapshot, type);
  }

  private async finish(job: ActiveJob, patch: Partial<JobRecord>, type: JobEventType = 'completed') {
    const now = this.clock.now();
    job.record = { ...job.record, ...patch, finishedAt: now, updatedAt: now };
    const snapshot = structuredClone(job.record);
    await this.persist(job);
    this.emit('change', snapshot, type);
  }

  private persist(job: ActiveJob): Promise<void> {
    const snapshot = job.record;
    job.writing = job.writing
      .then(() => this.store.save(snapshot))
      .catch((error: unknown) => {
        this.logger.error({ err: error, jobId: snapshot.id }, 'could not store job');
      });
    return job.writing;
  }

  private forget(job: ActiveJob): void {
    this.active.delete(job.record.id);
    if (job.record.ticket) this.byNonce.delete(job.record.ticket.nonce);
    for (const [ref, id] of this.byRef) if (id === job.record.id) this.byRef.delete(ref);
  }

  /** The current state of a job: from memory when in flight, else from the store. */
  async get(id: string): Promise<JobRecord | undefined> {
    const job = this.active.get(id);
    return job ? structuredClone(job.record) : this.store.get(id);
  }

  /**
   * Cancels a job: before it is sent nothing is sent; after, watching stops. Resolves with the
   * final record. Throws UnknownJobError, or JobStateError for a finished job.
   */
  async cancel(id: string, clientId?: string): Promise<JobRecord> {
    const job = this.active.get(id);
    if (job === undefined || (clientId !== undefined && job.record.clientId !== clientId)) {
      const stored = await this.store.get(id);
      if (stored === undefined || (clientId !== undefined && stored.clientId !== clientId)) {
        throw new UnknownJobError(id);
      }
      throw new JobStateError(id, stored.status, `Job ${id} is already ${stored.status}`);
    }
    if (isTerminal(job.record.status)) {
      throw new JobStateError(id, job.record.status, `Job ${id} is already ${job.record.status}`);
    }
    job.cancelRequested = true;
    job.controller.abort(new Error(`Job ${id} cancelled by the client`));
    await job.done;
    return structuredClone(job.record);
  }

  /**
   * Picks up the jobs a previous run left unfinished, never paying for one twice:
   * - `queued` (no ticket): nothing was sent; submitted now.
   * - `submitting`, `submitted`, `running` (ticket stored): followed with `generator.resume`,
   *   which looks for the job in the channel after the ticket's `afterMessageId`. If it is not
   *   found, a `submitting` job (Discord never confirmed the interaction) is submitted; a
   *   `submitted` or `running` one fails with the generator's JobNotFoundError, because Discord
   *   accepted it and a new submission could run it twice.
   */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { resumed: 0, submitted: 0, failed: 0 };
    for (const record of await this.store.listUnfinished()) {
      if (this.active.has(record.id)) continue;
      let source: GenerationResult | undefined;
      if (record.kind !== 'imagine') {
        const parent = record.parentId === null ? undefined : await this.store.get(record.parentId);
        source = parent?.result ?? undefined;
        if (source === undefined) {
          const failed = {
            ...record,
            status: 'failed' as const,
            error: toOutcomeError(new Error(`source job ${record.parentId} has no result to act on`)),
            finishedAt: this.clock.now(),
            updatedAt: this.clock.now(),
          };
          await this.store.save(failed);
          this.emit('change', failed, 'failed');
          report.failed += 1;
          continue;
        }
      }
      if (record.ticket === null) {
        this.start({ ...record, status: 'queued' }, 'submit', this.breaker.acquire(), source);
        report.submitted += 1;
      } else {
        this.start(record, 'resume', null, source);
        report.resumed += 1;
      }
    }
    return report;
  }

  /** Resolves when no job is in flight (tests and draining). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()].map((j) => j.done));
  }

  /**
   * Stops: jobs in flight are aborted in the generator but keep their stored state, so the next
   * start recovers them (nothing is marked failed because the service stopped).
   */
  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe();
    const jobs = [...this.active.values()];
    for (const job of jobs) job.controller.abort(new ServiceClosingError());
    await Promise.allSettled(jobs.map((j) => j.done));
    await Promise.allSettled(jobs.map((j) => j.writing));
    this.active.clear();
  }
}
