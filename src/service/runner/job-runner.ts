/**
 * Runs the service's jobs through the Generator and keeps the store in step with them. The store
 * is written before anything is sent: the job when it is accepted (`queued`), the ticket in the
 * generator's awaited `onSubmit` (`submitting`), so after a crash every job can be found again
 * (the rule is in recovery.ts). Changes are announced as `change` events (SSE, webhooks, metrics).
 *
 * Several runners may share one store (two services on one SQLite file, a cluster). Each job is
 * driven by one runner at a time, the owner of its JobClaim: a new job is inserted claimed by
 * the runner that accepted it; an unfinished one is claimed before it is resumed or submitted
 * (`recover`), and a job whose claim is live elsewhere is left alone. Claims are renewed by a
 * heartbeat every `claimTtlMs / 3`; every write carries the claim's fence, and a refused write
 * (the claim expired and another runner took the job) stops this runner driving that job before
 * it sends anything more. After `recover` has run once, the heartbeat also adopts jobs whose
 * owner died (claim expired) or stopped (claim released), through the same resume path.
 *
 * One job's failure never takes the process down: each job runs under a last-resort handler
 * (`crashed`), generator events and change listeners are guarded, job updates never reject, and
 * a job whose stored record cannot be run fails alone (JOB_RECORD_INVALID) under its claim.
 *
 * Only jobs that hold one of the `driveSlots` are in memory (an ActiveJob each). With a store that
 * can claim the oldest queued job (`claimNextQueued`), a job accepted while every slot is taken is
 * stored `queued` and unclaimed, and pulled (claimed) when a slot frees: the queue lives on disk,
 * so a backlog of a million jobs costs no heap. Stores without it keep queued jobs in memory.
 */
import { randomUUID } from 'node:crypto';
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
import {
  CircuitOpenError,
  JobStateError,
  ServiceBusyError,
  ServiceClosingError,
  UnknownJobError,
} from '../errors.js';
import type { IdempotencyReservation } from '../jobs/idempotency-record.js';
import {
  createJobRecord,
  isTerminal,
  JobIdFactory,
  type JobOutcomeError,
  type JobRecord,
  type NewJob,
} from '../jobs/job.js';
import { type JobClaim, JobExistsError, MAX_CLAIM_TTL_MS, OpenJobsCapError } from '../jobs/job-claim.js';
import type { JobStore } from '../jobs/job-store.js';
import type { CircuitBreaker, CircuitPermit } from '../protection/circuit-breaker.js';
import { ActiveJob } from './active-job.js';
import { ClaimHeartbeat } from './claim-heartbeat.js';
import type { JobEventType, JobRunnerEvents } from './job-events.js';
import {
  CANCELLED_OUTCOME,
  classifyFailure,
  crashOutcome,
  invalidRecordReason,
  recordInvalidOutcome,
  toOutcomeError,
} from './outcome.js';
import { afterResumeError, planRecovery, sendConfirmed } from './recovery.js';

export type { JobEventType, JobRunnerEvents } from './job-events.js';

export interface JobRunnerOptions {
  generator: Generator;
  store: JobStore;
  breaker: CircuitBreaker;
  clock?: Clock;
  logger?: Logger;
  /** Jobs accepted and unfinished here (driven or queued in the store) before submissions get ServiceBusyError. Default 100. */
  maxActiveJobs?: number;
  /**
   * Jobs driven at once: held in memory and handed to the generator, which queues them behind its
   * own slots. Past it, jobs wait in the store when it supports `claimNextQueued`. Default 100.
   */
  driveSlots?: number;
  /** The owner id of this runner's job claims. Default a random UUID (one per process). */
  instanceId?: string;
  /** How long a claim lives without renewal, 1_000 to 30_000 ms. Default 30_000. */
  claimTtlMs?: number;
  /**
   * Cluster: hands an accepted job to the workers instead of driving it here. The job is stored
   * unclaimed (bound to its idempotency key in the same step) before `dispatch` is called; a
   * worker's runner drives it with `drive(id)`. Default none: this runner drives what it accepts.
   * Resolving with `{ refused }` means no worker of the cluster can ever run it: the job stays
   * accepted and fails at once with that error, as one process fails a job no account can take.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a plain queueing `Promise<void>` dispatcher must fit
  dispatch?: (job: JobRecord) => Promise<void | DispatchRefusal>;
  /** Whether this runner drives jobs at all (`recover`, adoption, `drive`). Default true; false on an API-only node. */
  drives?: boolean;
  /**
   * Whether `recover` and the heartbeat's adoption also take jobs still `queued` that nobody
   * claimed. Default true; false on a cluster worker, where queued jobs arrive through the queue.
   */
  adoptQueued?: boolean;
  /**
   * Cluster worker: errors that mean "this worker can no longer drive the job" (its account's
   * lease was lost or handed back, no account is held here) rather than an outcome of the job.
   * Such a job is handed back: it stays stored as it stands and its claim is released, for the
   * holder of the account (or any worker) to carry on. Default none. Answering an Error instead
   * fails the job now with that error (no worker of the cluster can serve it: a clearer outcome
   * than the local one).
   */
  handsBack?: (error: unknown, job: JobRecord) => boolean | Error;
  /**
   * Cluster worker: whether this runner can follow a job from its ticket (it drives the account
   * the ticket names). A job it cannot follow is left to the worker that can. Default always.
   */
  canResume?: (ticket: SubmissionTicket) => boolean;
}

/** `dispatch`'s answer for a job no worker can run: it fails at once with `refused`. */
export interface DispatchRefusal {
  refused: unknown;
}

/** What `drive` found: the job ended here, was driven by another instance, or was already over. */
export type DriveResult = 'ended' | 'elsewhere' | 'finished';

/** Options of `submit`. */
export interface SubmitOptions {
  /** The idempotency key reservation the job is bound to, in the same store step that inserts it. */
  reservation?: IdempotencyReservation;
}

/** Attempts at a fresh id when another instance sharing the store took the one made here. */
const ID_ATTEMPTS = 5;

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
  private readonly driveSlots: number;
  /** Whether queued jobs wait in the store and are pulled as slots free (see the file comment). */
  private readonly pulls: boolean;
  /**
   * Jobs this runner left queued in the store and has not pulled yet; reset to 0 whenever the
   * store has none (other runners sharing the store may pull them first).
   */
  private queuedInStore = 0;
  private pulling: Promise<RecoveryReport> | undefined;
  private pullAgain = false;
  private readonly ids: JobIdFactory;
  private readonly active = new Map<string, ActiveJob>();
  /** Interaction nonce -> service job id, to route the generator's events. */
  private readonly byNonce = new Map<string, string>();
  /** Orchestrator job id (JobRef.id) -> service job id. */
  private readonly byRef = new Map<string, string>();
  private closing = false;
  private readonly unsubscribe: () => void;
  /** Owner id of this runner's claims. */
  readonly instanceId: string;
  private readonly claimTtlMs: number;
  private readonly heartbeat: ClaimHeartbeat;
  /** Set by the first `recover`: from then on the heartbeat also adopts orphaned jobs. */
  private adopting = false;
  private readonly dispatch: JobRunnerOptions['dispatch'];
  private readonly drives: boolean;
  private readonly adoptQueued: boolean;
  private readonly handsBack: (error: unknown, job: JobRecord) => boolean | Error;
  private readonly canResume: (ticket: SubmissionTicket) => boolean;
  /** Jobs handed back (see `handsBack`): forgotten here without a verdict. */
  private readonly handedBack = new WeakSet<ActiveJob>();

  constructor(options: JobRunnerOptions) {
    super();
    this.generator = options.generator;
    this.store = options.store;
    this.breaker = options.breaker;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.maxActiveJobs = options.maxActiveJobs ?? 100;
    this.instanceId = options.instanceId ?? randomUUID();
    this.claimTtlMs = options.claimTtlMs ?? MAX_CLAIM_TTL_MS;
    this.dispatch = options.dispatch;
    this.drives = options.drives ?? true;
    this.adoptQueued = options.adoptQueued ?? true;
    this.driveSlots = options.driveSlots ?? 100;
    if (!Number.isInteger(this.driveSlots) || this.driveSlots < 1) {
      throw new RangeError(`driveSlots must be a positive integer, got ${this.driveSlots}`);
    }
    this.pulls =
      this.store.claimNextQueued !== undefined &&
      this.dispatch === undefined &&
      this.drives &&
      this.adoptQueued;
    this.handsBack = options.handsBack ?? (() => false);
    this.canResume = options.canResume ?? (() => true);
    if (!Number.isInteger(this.claimTtlMs) || this.claimTtlMs < 1_000 || this.claimTtlMs > MAX_CLAIM_TTL_MS) {
      throw new RangeError(
        `claimTtlMs must be an integer from 1000 to ${MAX_CLAIM_TTL_MS}, got ${this.claimTtlMs}`,
      );
    }
    this.heartbeat = new ClaimHeartbeat(Math.floor(this.claimTtlMs / 3), () => this.beat(), this.logger);
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

  /** Jobs accepted but not yet handed to Discord (waiting in the store, or for a slot in the generator). */
  get waitingCount(): number {
    let n = this.queuedInStore;
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
    // The result at first sight, before the confirmation window against ephemeral moderation
    // closes: the job shows its image at once (progress 100, previewUrl); the outcome follows with
    // the window (a result taken down in it fails the job as ephemeral moderation).
    const onResultSeen = this.guard('resultSeen', (ref: JobRef, result: GenerationResult): void => {
      const job = byRef(ref);
      if (job === undefined || isTerminal(job.record.status)) return;
      void job.update(
        {
          status: 'running',
          startedAt: job.record.startedAt ?? this.clock.now(),
          progress: 100,
          previewUrl: result.imageUrl,
          notice: null,
        },
        'progress',
      );
    });
    this.generator.on('submitted', onSubmitted);
    this.generator.on('queued', onQueued);
    this.generator.on('started', onStarted);
    this.generator.on('resultSeen', onResultSeen);
    return () => {
      this.generator.off('submitted', onSubmitted);
      this.generator.off('queued', onQueued);
      this.generator.off('started', onStarted);
      this.generator.off('resultSeen', onResultSeen);
    };
  }

  /**
   * Accepts a new job: stores it claimed by this runner, then starts it. Throws CircuitOpenError,
   * ServiceBusyError; IdempotencyReservationLostError when `options.reservation` was taken over.
   */
  async submit(input: NewJob, source?: GenerationResult, options: SubmitOptions = {}): Promise<JobRecord> {
    if (this.closing) throw new ServiceClosingError();
    const accepted = this.active.size + this.queuedInStore;
    if (accepted >= this.maxActiveJobs) throw new ServiceBusyError(accepted, 5_000);
    if (input.kind !== 'imagine' && (source === undefined || !input.action)) {
      throw new TypeError('an action job needs the source result and the action');
    }
    if (this.dispatch !== undefined) return this.handOver(input, options);
    // Every slot taken, or older jobs already waiting: this one waits in the store, in order.
    if (this.pulls && (this.queuedInStore > 0 || this.active.size >= this.driveSlots)) {
      return this.enqueue(input, options);
    }
    const permit = this.breaker.acquire();
    let record: JobRecord;
    let claim: JobClaim;
    try {
      [record, claim] = await this.insertClaimed(input, options.reservation);
    } catch (error) {
      permit.release();
      throw error;
    }
    this.start(record, claim, 'submit', permit, source);
    return structuredClone(record);
  }

  /**
   * Stores a job `queued` and unclaimed (claimed only for the instant of the insert, so the key
   * binding and the insert stay one step), to be pulled when a slot frees. An open circuit refuses
   * it at once, as it would a job started here.
   */
  private async enqueue(input: NewJob, options: SubmitOptions): Promise<JobRecord> {
    this.breaker.acquire().release();
    const [record, claim] = await this.insertClaimed(input, options.reservation);
    await this.store.releaseClaim(claim);
    this.queuedInStore += 1;
    this.announce(structuredClone(record), 'status');
    void this.pull();
    return record;
  }

  /**
   * Fills free slots with the oldest queued jobs of the store, one claim each, by the same path as
   * an adoption (a job whose record cannot be run is failed alone). Resolves with what this run
   * did; a call while a run is under way joins it (and makes it look again).
   */
  private pull(): Promise<RecoveryReport> {
    if (!this.pulls || this.closing) return Promise.resolve({ resumed: 0, submitted: 0, failed: 0 });
    if (this.pulling !== undefined) {
      this.pullAgain = true;
      return this.pulling;
    }
    const run = async (): Promise<RecoveryReport> => {
      const report: RecoveryReport = { resumed: 0, submitted: 0, failed: 0 };
      do {
        this.pullAgain = false;
        while (!this.closing && this.active.size < this.driveSlots) {
          const claim = await (this.store.claimNextQueued as NonNullable<JobStore['claimNextQueued']>)(
            this.instanceId,
            this.claimTtlMs,
          );
          if (claim === null) {
            this.queuedInStore = 0;
            break;
          }
          this.queuedInStore = Math.max(0, this.queuedInStore - 1);
          try {
            await this.startClaimed(claim, report);
          } catch (error) {
            // Circuit open (or the job unreadable): its claim is given back, it stays queued; the
            // next heartbeat tries again.
            this.queuedInStore += 1;
            this.logger.debug({ err: error, jobId: claim.jobId }, 'queued job left in the store');
            return report;
          }
        }
      } while (this.pullAgain && !this.closing && this.active.size < this.driveSlots);
      return report;
    };
    this.pulling = run().finally(() => {
      this.pulling = undefined;
    });
    return this.pulling;
  }

  /**
   * Cluster API node: stores the job (claimed only for the instant of the insert, so the key
   * binding and the insert stay one step), releases it, and hands it to the workers. A job the
   * queue refused is marked failed, so nothing waits for a worker that will never come.
   */
  private async handOver(input: NewJob, options: SubmitOptions): Promise<JobRecord> {
    const dispatch = this.dispatch as NonNullable<JobRunnerOptions['dispatch']>;
    const [record, claim] = await this.insertClaimed(input, options.reservation);
    await this.store.releaseClaim(claim);
    this.announce(structuredClone(record), 'status');
    // biome-ignore lint/suspicious/noConfusingVoidType: what `dispatch` resolves with
    let answer: void | DispatchRefusal;
    try {
      answer = await dispatch(record);
    } catch (error) {
      const lateClaim = await this.store.claim(record.id, this.instanceId, this.claimTtlMs);
      if (lateClaim !== null) await this.failClaimed(record, toOutcomeError(error), lateClaim);
      throw error;
    }
    if (answer === undefined) return structuredClone(record);
    // Never queued: no worker holds it; it stays accepted and fails now, as in one process.
    const lateClaim = await this.store.claim(record.id, this.instanceId, this.claimTtlMs);
    if (lateClaim !== null) await this.failClaimed(record, toOutcomeError(answer.refused), lateClaim);
    return structuredClone((await this.store.get(record.id)) ?? record);
  }

  /**
   * Cluster worker: claims job `id` and drives it to its end here (submitting it, or resuming it
   * from its ticket after another worker died), then resolves. 'elsewhere' when another instance
   * holds a live claim (try again later); 'finished' when the job was already over.
   */
  async drive(id: string): Promise<DriveResult> {
    if (!this.drives) throw new TypeError('this runner does not drive jobs (an API-only node)');
    if (this.closing) throw new ServiceClosingError();
    const running = this.active.get(id);
    if (running !== undefined) {
      await running.done;
      return 'ended';
    }
    const result = await this.adopt(id, { resumed: 0, submitted: 0, failed: 0 });
    if (result !== 'started') return result;
    await this.active.get(id)?.done;
    return 'ended';
  }

  /** Inserts the new job claimed by this runner; a fresh id when another instance took this one. */
  private async insertClaimed(
    input: NewJob,
    reservation: IdempotencyReservation | undefined,
  ): Promise<[JobRecord, JobClaim]> {
    for (let attempt = 1; ; attempt += 1) {
      const record = createJobRecord(this.ids.next(), input, this.clock.now());
      try {
        return [
          record,
          await this.store.insertClaimed(record, this.instanceId, this.claimTtlMs, reservation),
        ];
      } catch (error) {
        // The cluster-wide cap (counted in the store, across every node): the same answer as ours.
        if (error instanceof OpenJobsCapError) throw new ServiceBusyError(error.openJobs, 5_000);
        if (!(error instanceof JobExistsError) || attempt >= ID_ATTEMPTS) throw error;
        this.ids.seed(await this.store.maxId());
      }
    }
  }

  private start(
    record: JobRecord,
    claim: JobClaim,
    mode: Mode,
    permit: CircuitPermit | null,
    source?: GenerationResult,
  ): void {
    this.heartbeat.start();
    const job = new ActiveJob(record, claim, permit, {
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
      if (!isTerminal(job.record.status) && !this.closing && job.claimLost === null) {
        await job.finish({ status: 'failed', error: crashOutcome(error), previewUrl: null }, 'failed');
      }
    } catch (secondary) {
      this.logFailure({ err: secondary, jobId: job.id }, 'could not record the crashed job');
    } finally {
      if (this.active.get(job.id) === job) {
        await this.forget(job).catch((forgetError: unknown) => {
          this.logFailure({ err: forgetError, jobId: job.id }, 'could not release the crashed job');
        });
      }
    }
  }

  private async run(job: ActiveJob, mode: Mode, source?: GenerationResult): Promise<void> {
    const { record } = job;
    const options: JobOptions = {
      signal: job.controller.signal,
      onSubmit: async (ticket) => {
        this.byNonce.set(ticket.nonce, job.id);
        // Awaited by the generator before it sends: once this resolves the ticket is durable and
        // the claim was current a moment ago. If either fails the generator sends nothing.
        const stored = await job.update(
          {
            status: 'submitting',
            ticket,
            submittedAt: ticket.submittedAt,
            submissions: job.record.submissions + 1,
          },
          'status',
        );
        if (!stored)
          throw job.claimLost ?? new Error(`Job ${job.id}: could not store the ticket; not sending`);
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
        result = await this.generator.resume(record.ticket, {
          ...options,
          sendConfirmed: sendConfirmed(record),
        });
      } else if (record.kind === 'imagine') {
        const bot = record.botType !== undefined ? { botType: record.botType } : {};
        result = await this.generator.imagine(record.prompt, { ...options, ...bot });
      } else {
        // A button job whose prompt differs from its source's was given a form prompt (Remix,
        // Custom Zoom): the button's form, if Midjourney opens one, is answered with it.
        const form = source && record.prompt !== source.prompt ? { prompt: record.prompt } : {};
        // Vary (Region): the mask stored with the job (it survives a restart with it).
        const mask = record.mask ? { mask: Buffer.from(record.mask, 'base64') } : {};
        result = await this.generator.act(source!, record.action!, { ...options, ...form, ...mask });
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
      if (
        this.active.get(job.id) === job &&
        (isTerminal(job.record.status) || this.closing || job.claimLost !== null || this.handedBack.has(job))
      ) {
        await this.forget(job);
      }
    }
  }

  private async onError(
    job: ActiveJob,
    error: unknown,
    mode: Mode,
    source?: GenerationResult,
  ): Promise<void> {
    // Shutting down, or another instance took the job over: the store keeps the job as it stands,
    // for the next start or the new owner to carry on.
    if (this.closing || job.claimLost !== null) {
      job.permit?.release();
      return;
    }
    // This worker can no longer drive it (its account was handed on): another worker carries on.
    const handBack = job.cancelRequested ? false : this.handsBack(error, job.record);
    if (handBack === true) {
      job.permit?.release();
      this.handedBack.add(job);
      this.logger.info({ jobId: job.id, status: job.record.status }, 'job handed back to the cluster');
      return;
    }
    // No worker of the cluster can serve it: it fails with the cluster's reason.
    const failure = handBack instanceof Error ? handBack : error;
    if (job.cancelRequested) {
      job.permit?.release();
      await job.finish({ status: 'cancelled', error: CANCELLED_OUTCOME }, 'cancelled');
      return;
    }
    // The restart rule (recovery.ts): only a job proven absent and never confirmed sent is resent;
    // not found after a confirmed send, or unresolved, fails below like any outcome.
    if (mode === 'resume' && afterResumeError(job.record, failure) === 'resend') {
      this.logger.warn(
        { jobId: job.id },
        'job not found after restart and never confirmed sent: submitting it',
      );
      await this.resubmit(job, source);
      return;
    }
    const kind = classifyFailure(failure);
    if (kind === 'fatal' || kind === 'transport')
      job.permit?.failure((failure as Error).message, kind === 'fatal');
    else if (kind === 'outcome') job.permit?.success();
    else job.permit?.release();
    const outcome = toOutcomeError(failure);
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

  /** Drops a job that is done here, and releases its claim once its writes are stored. */
  private async forget(job: ActiveJob): Promise<void> {
    this.active.delete(job.id);
    if (job.record.ticket) this.byNonce.delete(job.record.ticket.nonce);
    for (const [ref, id] of this.byRef) if (id === job.id) this.byRef.delete(ref);
    // A slot is free: the oldest job waiting in the store takes it.
    void this.pull();
    await job.flushed();
    if (job.claimLost === null) {
      await this.store.releaseClaim(job.claim).catch((error: unknown) => {
        this.logFailure({ err: error, jobId: job.id }, 'could not release job claim');
      });
    }
  }

  /**
   * One heartbeat: renews the claims of the jobs in flight (a job whose claim could not be
   * renewed is stopped here), then, once `recover` has run, adopts jobs whose owner died or
   * stopped. The timer calls it every `claimTtlMs / 3`; tests may call it directly.
   */
  async beat(): Promise<void> {
    const jobs = [...this.active.values()].filter((job) => job.claimLost === null);
    if (jobs.length > 0) {
      const renewed = new Map(
        (
          await this.store.renewClaims(
            jobs.map((job) => job.claim),
            this.claimTtlMs,
          )
        ).map((claim) => [claim.jobId, claim]),
      );
      for (const job of jobs) {
        const claim = renewed.get(job.id);
        if (claim !== undefined && claim.fence === job.claim.fence) job.claim = claim;
        else job.loseClaim();
      }
    }
    if (this.adopting && !this.closing) {
      const report = await this.recover();
      if (report.resumed + report.submitted + report.failed > 0) {
        this.logger.info(report, 'adopted jobs of a stopped or unresponsive instance');
      }
    }
  }

  /** `job` as it stands now: the in-flight version when it is running, else `job` itself (no store read). */
  fresh(job: JobRecord): JobRecord {
    const active = this.active.get(job.id);
    return active ? structuredClone(active.record) : job;
  }

  /** Whether the job is running here (its in-flight version is fresher than the store's). */
  isInFlight(id: string): boolean {
    return this.active.has(id);
  }

  /** The in-flight version of a job, or undefined when it is not running here. */
  inFlight(id: string): JobRecord | undefined {
    const active = this.active.get(id);
    return active ? structuredClone(active.record) : undefined;
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
      const cancelled = stored.status === 'queued' ? await this.cancelQueued(id) : undefined;
      if (cancelled !== undefined) return cancelled;
      // Unfinished but not in flight here: another instance sharing the store drives it.
      const where = isTerminal(stored.status) ? 'already' : 'driven by another service instance and';
      throw new JobStateError(id, stored.status, `Job ${id} is ${where} ${stored.status}`);
    }
    if (isTerminal(job.record.status)) {
      throw new JobStateError(id, job.record.status, `Job ${id} is already ${job.record.status}`);
    }
    job.cancelRequested = true;
    job.controller.abort(new Error(`Job ${id} cancelled by the client`));
    await job.done;
    return structuredClone(job.record);
  }

  /** Cancels a job waiting in the store, under a claim; undefined when it was taken meanwhile. */
  private async cancelQueued(id: string): Promise<JobRecord | undefined> {
    const claim = await this.store.claim(id, this.instanceId, this.claimTtlMs);
    if (claim === null) return undefined;
    try {
      const record = await this.store.get(id);
      if (record === undefined || record.status !== 'queued') return undefined;
      const now = this.clock.now();
      const cancelled: JobRecord = {
        ...record,
        ...(record.mask ? { mask: null } : {}),
        status: 'cancelled',
        error: CANCELLED_OUTCOME,
        finishedAt: now,
        updatedAt: now,
      };
      await this.store.saveClaimed(cancelled, claim);
      this.queuedInStore = Math.max(0, this.queuedInStore - 1);
      this.announce(structuredClone(cancelled), 'cancelled');
      return cancelled;
    } finally {
      await this.store.releaseClaim(claim);
    }
  }

  /**
   * Picks up the jobs a previous run left unfinished (see recovery.ts), never paying for one
   * twice: each is claimed first, and one claimed live by another instance is left to it. One
   * job that cannot be recovered (a record over the metadata limits or that cannot be copied, a
   * store or generator that throws for it) is failed on its own under its claim; the others and
   * the process carry on.
   */
  async recover(): Promise<RecoveryReport> {
    const report: RecoveryReport = { resumed: 0, submitted: 0, failed: 0 };
    if (!this.drives) return report;
    this.adopting = true;
    // Also with nothing to pick up now: jobs claimed by a dead instance are adopted once their
    // claims expire.
    if (!this.closing) this.heartbeat.start();
    let elsewhere = 0;
    const unsent = (job: JobRecord): boolean => job.status === 'queued' && job.ticket === null;
    for (const listed of await this.store.listUnfinished(this.pulls ? { sentOnly: true } : undefined)) {
      if (this.closing) break;
      if (this.active.has(listed.id)) continue;
      // On a cluster worker, a job nobody has started yet comes through the queue, not from here;
      // where jobs are pulled from the store, they are pulled in order (below), not all at once.
      if ((!this.adoptQueued || this.pulls) && unsent(listed)) continue;
      // Its ticket names an account another worker drives: that worker follows it.
      if (listed.ticket !== null && !this.canResume(listed.ticket)) continue;
      try {
        if ((await this.adopt(listed.id, report, listed)) === 'elsewhere') elsewhere += 1;
      } catch (error) {
        // Not claimed, or no circuit permit: nothing was written; a later adoption tries again.
        this.logFailure({ err: error, jobId: listed.id }, 'could not adopt job; left for a later attempt');
      }
    }
    if (elsewhere > 0) this.logger.debug({ jobs: elsewhere }, 'unfinished jobs claimed by other instances');
    const pulled = await this.pull();
    report.submitted += pulled.submitted;
    report.resumed += pulled.resumed;
    report.failed += pulled.failed;
    return report;
  }

  /**
   * Claims one unfinished job and starts it here by the restart rule (recovery.ts). Once the
   * claim is held, a job that cannot be started (an unusable stored record, a store read that
   * throws) is failed alone under the claim (JOB_RECORD_INVALID for an unusable record).
   * Rejects, holding no claim, when the claim itself cannot be had or the circuit is open
   * (CircuitOpenError): the job stays as stored for a later attempt. `listed` is the job as
   * listed, the fallback when the read under the claim throws.
   */
  private async adopt(
    id: string,
    report: RecoveryReport,
    listed?: JobRecord,
  ): Promise<'started' | DriveResult> {
    const claim = await this.store.claim(id, this.instanceId, this.claimTtlMs);
    if (claim === null) {
      const stored = await this.store.get(id);
      return stored === undefined || isTerminal(stored.status) ? 'finished' : 'elsewhere';
    }
    return this.startClaimed(claim, report, listed);
  }

  /**
   * Starts a job this runner just claimed (adopted, or pulled from the store queue), by the
   * restart rule; a job that cannot be started is failed alone under the claim (see `adopt`).
   */
  private async startClaimed(
    claim: JobClaim,
    report: RecoveryReport,
    listed?: JobRecord,
  ): Promise<'started' | DriveResult> {
    const id = claim.jobId;
    let known = listed;
    try {
      // Read again under the claim: the previous owner may have moved it on since the listing.
      const record = await this.store.get(id);
      if (record === undefined || isTerminal(record.status)) {
        await this.store.releaseClaim(claim);
        return 'finished';
      }
      known = record;
      return await this.startAdopted(record, claim, report);
    } catch (error) {
      // The circuit is open: not the job's fault; its claim was given back for a later attempt.
      if (error instanceof CircuitOpenError) throw error;
      this.logFailure({ err: error, jobId: id }, 'could not recover job');
      if (known === undefined) {
        // Nothing to write the failure onto: leave the job for a later attempt.
        await this.store.releaseClaim(claim).catch(() => undefined);
        throw error;
      }
      await this.failClaimed(known, crashOutcome(error), claim);
      report.failed += 1;
      return 'finished';
    }
  }

  /** Starts a claimed, unfinished job by the restart rule, or fails it when it cannot be run. */
  private async startAdopted(
    record: JobRecord,
    claim: JobClaim,
    report: RecoveryReport,
  ): Promise<'started' | DriveResult> {
    const invalid = invalidRecordReason(record);
    if (invalid !== undefined) {
      this.logFailure({ jobId: record.id, reason: invalid }, 'stored job record is unusable');
      // Its metadata is what made it unusable: drop it so the failure itself can be stored.
      await this.failClaimed({ ...record, metadata: null }, recordInvalidOutcome(invalid), claim);
      report.failed += 1;
      return 'finished';
    }
    if (record.ticket !== null && !this.canResume(record.ticket)) {
      await this.store.releaseClaim(claim);
      return 'elsewhere';
    }
    const parent = record.parentId === null ? undefined : await this.store.get(record.parentId);
    const source = parent?.result ?? undefined;
    const step = planRecovery(record, source !== undefined);
    if (step.kind === 'fail') {
      await this.failClaimed(record, toOutcomeError(new Error(step.reason)), claim);
      report.failed += 1;
      return 'finished';
    }
    if (step.kind === 'submit') {
      let permit: CircuitPermit;
      try {
        permit = this.breaker.acquire();
      } catch (error) {
        // The circuit is open: give the job back for a later attempt (a breaker that breaks its
        // contract fails the job in `adopt` instead).
        if (error instanceof CircuitOpenError) await this.store.releaseClaim(claim).catch(() => undefined);
        throw error;
      }
      this.start({ ...record, status: 'queued', ticket: null }, claim, 'submit', permit, source);
      report.submitted += 1;
    } else {
      this.start(record, claim, 'resume', null, source);
      report.resumed += 1;
    }
    return 'started';
  }

  /**
   * Stores `record` as failed with `error` under `claim` (a fenced write), announces it, and
   * releases the claim. A store failure is logged, not thrown: the job stays unfinished for a
   * later attempt.
   */
  private async failClaimed(record: JobRecord, error: JobOutcomeError, claim: JobClaim): Promise<void> {
    const now = this.clock.now();
    const failed: JobRecord = {
      ...record,
      ...(record.mask ? { mask: null } : {}),
      status: 'failed',
      error,
      finishedAt: now,
      updatedAt: now,
    };
    try {
      await this.store.saveClaimed(failed, claim);
    } catch (storeError) {
      this.logFailure({ err: storeError, jobId: record.id }, 'could not store the failed job');
      return;
    } finally {
      await this.store.releaseClaim(claim).catch((releaseError: unknown) => {
        this.logFailure({ err: releaseError, jobId: record.id }, 'could not release job claim');
      });
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
    await this.heartbeat.stop();
    const jobs = [...this.active.values()];
    for (const job of jobs) job.controller.abort(new ServiceClosingError());
    // Each job's `done` ends by releasing its claim, so another instance may adopt it at once.
    await Promise.allSettled(jobs.map((j) => j.done));
    await Promise.allSettled(jobs.map((j) => j.flushed()));
    this.active.clear();
  }
}
