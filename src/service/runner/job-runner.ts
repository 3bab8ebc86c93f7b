/**
 * Runs the service's jobs through the Generator and keeps the store in step with them. The store
 * is written before anything is sent: the job when it is accepted (`queued`), the ticket in the
 * generator's awaited `onSubmit` (`submitting`), so after a crash every job can be found again
 * (the rule is in recovery.ts). Changes are announced as `change` events (SSE, webhooks, metrics).
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
import {
  createJobRecord,
  isTerminal,
  JobIdFactory,
  type JobOutcomeError,
  type JobRecord,
  type NewJob,
} from '../jobs/job.js';
import type { JobStore } from '../jobs/job-store.js';
import type { CircuitBreaker, CircuitPermit } from '../protection/circuit-breaker.js';
import { ActiveJob } from './active-job.js';
import type { JobEventType, JobRunnerEvents } from './job-events.js';
import {
  CANCELLED_OUTCOME,
  classifyFailure,
  crashOutcome,
  invalidRecordReason,
  isJobNotFound,
  recordInvalidOutcome,
  toOutcomeError,
} from './outcome.js';
import { afterNotFound, planRecovery } from './recovery.js';

export type { JobEventType, JobRunnerEvents } from './job-events.js';

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
  /** Jobs submitted, because nothing of them had been sent. */
  submitted: number;
  /** Jobs that could not be recovered and were marked failed. */
  failed: number;
}

type Mode = 'submit' | 'resume';

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

  /**
   * Logs a failure on a path nobody awaits. Even the logger may fail on a strange error (a
   * `toJSON` that throws): that must not end the process either.
   */
  private logFailure(fields: Record<string, unknown>, message: string): void {
    try {
      this.logger.error(fields, message);
    } catch {
      // Nothing more can be done about it here.
    }
  }

  /**
   * Tells every `change` listener, each on its own: one that throws (a closed SSE socket, a
   * webhook body that cannot be built) is logged and neither stops the others nor the job.
   */
  private announce(job: JobRecord, type: JobEventType): void {
    for (const listener of this.listeners('change')) {
      try {
        listener(job, type);
      } catch (error) {
        this.logFailure({ err: error, jobId: job.id, type }, 'a job change listener failed');
      }
    }
  }

  /** Wraps a generator event handler: it runs inside the generator's emit, which must not throw. */
  private guard<A extends unknown[]>(event: string, handler: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        handler(...args);
      } catch (error) {
        this.logFailure({ err: error, event }, 'could not handle a generator event');
      }
    };
  }

  private listen(): () => void {
    const byRef = (ref: JobRef): ActiveJob | undefined => {
      const id = this.byRef.get(ref.id);
      return id === undefined ? undefined : this.active.get(id);
    };
    const onSubmitted = this.guard('submitted', (ref: JobRef, ticket: SubmissionTicket): void => {
      const id = this.byNonce.get(ticket.nonce);
      const job = id === undefined ? undefined : this.active.get(id);
      if (job === undefined) return;
      this.byRef.set(ref.id, job.id);
      // Discord accepted the interaction: the breaker has its verdict, the job its proof of sending.
      job.permit?.success();
      if (job.record.status === 'submitting') void job.update({ status: 'submitted' }, 'status');
    });
    const onQueued = this.guard('queued', (ref: JobRef, notice: string): void => {
      void byRef(ref)?.update({ notice }, 'notice');
    });
    const onStarted = this.guard('started', (ref: JobRef): void => {
      const job = byRef(ref);
      if (job && job.record.status !== 'running' && !isTerminal(job.record.status)) {
        void job.update({ status: 'running', startedAt: job.record.startedAt ?? this.clock.now() }, 'status');
      }
    });
    this.generator.on('submitted', onSubmitted);
    this.generator.on('queued', onQueued);
    this.generator.on('started', onStarted);
    return () => {
      this.generator.off('submitted', onSubmitted);
      this.generator.off('queued', onQueued);
      this.generator.off('started', onStarted);
    };
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
    mode: Mode,
    permit: CircuitPermit | null,
    source?: GenerationResult,
  ): void {
    const job = new ActiveJob(record, permit, {
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      announce: (snapshot, type) => this.announce(snapshot, type),
    });
    this.active.set(record.id, job);
    // Nobody awaits `done` in the normal course: a rejection here would end the process.
    job.done = this.run(job, mode, source).catch((error: unknown) => this.crashed(job, error));
  }

  /**
   * The last line of defence for one job: `run` itself threw (a bug, a store or generator that
   * breaks its contract). The job fails with the error's outcome; the process and the other jobs
   * carry on.
   */
  private async crashed(job: ActiveJob, error: unknown): Promise<void> {
    this.logFailure({ err: error, jobId: job.id }, 'job crashed in the runner');
    try {
      job.permit?.release();
      if (!isTerminal(job.record.status) && !this.closing) {
        await job.finish({ status: 'failed', error: crashOutcome(error), previewUrl: null }, 'failed');
      }
    } catch (secondary) {
      this.logFailure({ err: secondary, jobId: job.id }, 'could not record the crashed job');
    } finally {
      if (this.active.get(job.id) === job) this.forget(job);
    }
  }

  private async run(job: ActiveJob, mode: Mode, source?: GenerationResult): Promise<void> {
    const { record } = job;
    const options: JobOptions = {
      signal: job.controller.signal,
      onSubmit: async (ticket) => {
        this.byNonce.set(ticket.nonce, job.id);
        // Awaited by the generator before it sends: once this resolves the ticket is durable.
        await job.update(
          {
            status: 'submitting',
            ticket,
            submittedAt: ticket.submittedAt,
            submissions: job.record.submissions + 1,
          },
          'status',
        );
      },
      onProgress: this.guard('progress', (progress: ProgressInfo) => {
        if (isTerminal(job.record.status)) return;
        void job.update(
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
      }),
    };
    try {
      let result: GenerationResult;
      if (mode === 'resume' && record.ticket !== null) {
        this.logger.info({ jobId: job.id, nonce: record.ticket.nonce }, 'resuming job after restart');
        this.byNonce.set(record.ticket.nonce, job.id);
        result = await this.generator.resume(record.ticket, options);
      } else if (record.kind === 'imagine') {
        result = await this.generator.imagine(record.prompt, options);
      } else {
        result = await this.generator.act(source!, record.action!, options);
      }
      job.permit?.success();
      await job.finish(
        {
          status: 'succeeded',
          kind: result.kind,
          result,
          progress: 100,
          previewUrl: null,
          notice: null,
          mode: result.mode ?? job.record.mode,
          startedAt: job.record.startedAt ?? result.timings.startedAt ?? null,
        },
        'completed',
      );
      this.logger.info({ jobId: job.id, mjJobId: result.jobId }, 'job succeeded');
    } catch (error) {
      await this.onError(job, error, mode, source);
    } finally {
      if (this.active.get(job.id) === job && (isTerminal(job.record.status) || this.closing))
        this.forget(job);
    }
  }

  private async onError(
    job: ActiveJob,
    error: unknown,
    mode: Mode,
    source?: GenerationResult,
  ): Promise<void> {
    // Shutting down: the store keeps the job as it stands, and the next start recovers it.
    if (this.closing) {
      job.permit?.release();
      return;
    }
    if (job.cancelRequested) {
      job.permit?.release();
      await job.finish({ status: 'cancelled', error: CANCELLED_OUTCOME }, 'cancelled');
      return;
    }
    if (mode === 'resume' && isJobNotFound(error) && afterNotFound(job.record) === 'resubmit') {
      this.logger.warn(
        { jobId: job.id },
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
    this.logger.info({ jobId: job.id, code: outcome.code }, 'job failed');
    await job.finish({ status: 'failed', error: outcome, previewUrl: null }, 'failed');
  }

  private async resubmit(job: ActiveJob, source?: GenerationResult): Promise<void> {
    try {
      job.permit = this.breaker.acquire();
    } catch (error) {
      await job.finish({ status: 'failed', error: toOutcomeError(error) }, 'failed');
      return;
    }
    await job.update({ status: 'queued', ticket: null }, 'status');
    await this.run(job, 'submit', source);
  }

  private forget(job: ActiveJob): void {
    this.active.delete(job.id);
    if (job.record.ticket) this.byNonce.delete(job.record.ticket.nonce);
    for (const [ref, id] of this.byRef) if (id === job.id) this.byRef.delete(ref);
  }

  /** `job` as it stands now: the in-flight version when it is running, else `job` itself (no store read). */
  fresh(job: JobRecord): JobRecord {
    const active = this.active.get(job.id);
    return active ? structuredClone(active.record) : job;
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
   * Picks up the jobs a previous run left unfinished (see recovery.ts), never paying for one
   * twice. One job that cannot be recovered (a record over the metadata limits or that cannot be
   * copied, a store or breaker that throws for it) is failed on its own; the others and the
   * process carry on.
   */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { resumed: 0, submitted: 0, failed: 0 };
    for (const record of await this.store.listUnfinished()) {
      if (this.active.has(record.id)) continue;
      try {
        report[await this.recoverOne(record)] += 1;
      } catch (error) {
        this.logFailure({ err: error, jobId: record.id }, 'could not recover job');
        await this.failRecovered(record, crashOutcome(error));
        report.failed += 1;
      }
    }
    return report;
  }

  private async recoverOne(record: JobRecord): Promise<keyof RecoveryReport> {
    const invalid = invalidRecordReason(record);
    if (invalid !== undefined) {
      this.logger.error({ jobId: record.id, reason: invalid }, 'stored job record is unusable');
      // Its metadata is what made it unusable: drop it so the failure itself can be stored.
      await this.failRecovered({ ...record, metadata: null }, recordInvalidOutcome(invalid));
      return 'failed';
    }
    const parent = record.parentId === null ? undefined : await this.store.get(record.parentId);
    const source = parent?.result ?? undefined;
    const step = planRecovery(record, source !== undefined);
    if (step.kind === 'fail') {
      await this.failRecovered(record, toOutcomeError(new Error(step.reason)));
      return 'failed';
    }
    if (step.kind === 'submit') {
      this.start({ ...record, status: 'queued', ticket: null }, 'submit', this.breaker.acquire(), source);
      return 'submitted';
    }
    this.start(record, 'resume', null, source);
    return 'resumed';
  }

  /** Stores `record` as failed with `error` and announces it; a store failure is logged, not thrown. */
  private async failRecovered(record: JobRecord, error: JobOutcomeError): Promise<void> {
    const now = this.clock.now();
    const failed: JobRecord = { ...record, status: 'failed', error, finishedAt: now, updatedAt: now };
    try {
      await this.store.save(failed);
    } catch (storeError) {
      this.logFailure({ err: storeError, jobId: record.id }, 'could not store the failed job');
      return;
    }
    this.announce(failed, 'failed');
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
    await Promise.allSettled(jobs.map((j) => j.flushed()));
    this.active.clear();
  }
}
