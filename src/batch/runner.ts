/**
 * The batch engine: keeps `concurrency` slots busy with prompts, journals every transition before
 * acting on it, resumes journaled tickets instead of paying twice, backs off on "Queue full" /
 * "Job queued" without flooding, and drains on stop. Larger than most files because it is the one
 * place where these rules meet; the decisions it sequences (retry, outcome, result line) are pure
 * functions in their own files.
 */
import { EventEmitter } from 'eventemitter3';
import type {
  GenerationResult,
  Generator,
  JobOptions,
  JobRef,
  SubmissionTicket,
} from '../generation/types.js';
import { isMidjourneyError } from '../midjourney/errors.js';
import { type Clock, type Random, systemClock } from '../util/clock.js';
import type { Downloader } from './downloader.js';
import { BatchJournalError } from './errors.js';
import type { Journal } from './journal.js';
import {
  applyRecord,
  initialState,
  type JournalRecord,
  type PromptState,
  stepOf,
} from './journal-records.js';
import { ACCOUNT_STOP_OUTCOMES, errorInfo, outcomeOf } from './outcome.js';
import type { BatchPrompt } from './prompt.js';
import { buildResultLine, type ErrorInfo, type ResultLine, type StepFiles } from './result-line.js';
import { DEFAULT_RETRY_POLICY, planRetry, type RetryPolicy } from './retry-policy.js';

export interface BatchRunnerOptions {
  generator: Generator;
  journal: Journal;
  /** Receives each finished prompt's line, after its journal record is on disk. */
  writeResult: (line: ResultLine) => Promise<void>;
  /** Jobs in flight at once. Default 3 (Midjourney's Basic/Standard slots). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Fetches images once a prompt finishes (`--download`); none by default. */
  downloader?: Downloader;
  /** Stops submitting when it aborts; jobs in flight finish. */
  signal?: AbortSignal;
  /** Per-job deadline passed to the generator. Default: the generator's. */
  jobTimeoutMs?: number;
  clock?: Clock;
  random?: Random;
}

export interface BatchProgress {
  total: number;
  /** Finished (done or failed) prompts, this run and earlier runs. */
  finished: number;
  succeeded: number;
  failed: number;
  /** Prompts with a job in flight or in backoff. */
  running: number;
  /** Of those, prompts held back by a pause ("Queue full", "Job queued") before submitting. */
  waiting: number;
  /** Prompts finished by this run (for the rate and ETA). */
  finishedThisRun: number;
  startedAt: number;
}

export interface BatchEvents {
  progress: [progress: BatchProgress];
  finished: [line: ResultLine];
  retry: [id: string, outcome: string, delayMs: number];
  /** Submissions paused: `queue-full` for a while, `job-queued` until a slot frees. */
  paused: [reason: 'queue-full' | 'job-queued', delayMs: number | undefined];
  /** The batch stopped submitting (signal, account notice, journal failure). */
  stopping: [reason: string];
  debug: [message: string];
}

export interface BatchRunReport {
  progress: BatchProgress;
  /** Per outcome, every finished prompt (earlier runs included). */
  outcomes: Record<string, number>;
  /** durationMs of the prompts finished by this run. */
  durations: number[];
  /** Prompts left unfinished because the batch stopped; a re-run continues them. */
  notRun: number;
  stopReason?: string;
  /** The first account-stopping or journal error, when that is why it stopped. */
  fatal?: ErrorInfo;
  downloadFailures: number;
  wallMs: number;
}

/**
 * How `generate` ended: interrupted (the prompt stays for a re-run), or generated, with the last
 * step's record if it is not on disk yet.
 */
type Generated = 'interrupted' | { unsaved: JournalRecord | undefined };

export class BatchRunner extends EventEmitter<BatchEvents> {
  private readonly generator: Generator;
  private readonly journal: Journal;
  private readonly policy: RetryPolicy;
  private readonly concurrency: number;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly stop = new AbortController();
  private stopReason: string | undefined;
  private fatal: ErrorInfo | undefined;
  private pausedUntil = 0;
  /**
   * Prompts whose job Midjourney answered with "Job queued": the account has fewer free slots than
   * we thought (another client shares it), so no new submission goes out until they run or end.
   */
  private readonly held = new Set<string>();
  private readonly wakers = new Set<() => void>();
  /** Ticket nonce -> prompt/step, to journal `submitted` from the generator's event. */
  private readonly byNonce = new Map<string, { id: string; step: number }>();
  /** The generator's job ids of our jobs in flight -> prompt id. */
  private readonly ourJobs = new Map<string, string>();
  private readonly states = new Map<string, PromptState>();
  private readonly outcomes: Record<string, number> = {};
  private readonly durations: number[] = [];
  private readonly finishing = new Set<Promise<void>>();
  private downloadFailures = 0;
  private counts: BatchProgress = {
    total: 0,
    finished: 0,
    succeeded: 0,
    failed: 0,
    running: 0,
    waiting: 0,
    finishedThisRun: 0,
    startedAt: 0,
  };

  /** The counts right now (a copy). */
  get progress(): BatchProgress {
    return { ...this.counts };
  }

  constructor(private readonly options: BatchRunnerOptions) {
    super();
    this.generator = options.generator;
    this.journal = options.journal;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.concurrency = options.concurrency ?? 3;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrency: expected an integer >= 1, got ${this.concurrency}`);
    }
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /**
   * Runs every prompt not already finished in `resumed` (the replayed journal). Resolves when the
   * queue is empty, or after a stop once the jobs in flight have finished.
   */
  async run(
    prompts: readonly BatchPrompt[],
    resumed: ReadonlyMap<string, PromptState>,
  ): Promise<BatchRunReport> {
    const startedAt = this.clock.now();
    this.counts = { ...this.counts, total: prompts.length, startedAt };
    const todo: BatchPrompt[] = [];
    const fresh: JournalRecord[] = [];
    for (const prompt of prompts) {
      const earlier = resumed.get(prompt.id);
      if (earlier === undefined) fresh.push({ t: 'pending', id: prompt.id, at: startedAt });
      if (earlier?.result !== undefined && (earlier.status === 'done' || earlier.status === 'failed')) {
        this.count(earlier.result, false);
        continue;
      }
      // Only unfinished prompts keep a state in memory, so a long batch stays flat in memory.
      this.states.set(prompt.id, structuredClone(earlier) ?? initialState());
      todo.push(prompt);
    }
    // Prompts whose job may be out there already go first: their slot is likely taken at Midjourney.
    todo.sort(
      (a, b) =>
        Number(this.states.get(b.id)?.ticket !== undefined) -
        Number(this.states.get(a.id)?.ticket !== undefined),
    );
    if (fresh.length > 0) await this.journal.append(...fresh);

    const onSignal = (): void => this.halt('interrupted');
    if (this.options.signal?.aborted) onSignal();
    this.options.signal?.addEventListener('abort', onSignal, { once: true });
    const onSubmitted = (job: JobRef, ticket: SubmissionTicket): void => this.onSubmitted(job, ticket);
    const onQueued = (job: JobRef): void => this.onQueued(job);
    const onRunning = (job: JobRef): void => this.unhold(this.ourJobs.get(job.id));
    const onEnded = (job: JobRef): void => {
      this.unhold(this.ourJobs.get(job.id));
      this.ourJobs.delete(job.id);
    };
    this.generator.on('submitted', onSubmitted);
    this.generator.on('queued', onQueued);
    this.generator.on('progress', onRunning);
    this.generator.on('completed', onEnded);
    this.generator.on('failed', onEnded);
    this.emit('progress', { ...this.counts });
    try {
      let next = 0;
      const take = (): BatchPrompt | undefined => todo[next++];
      const slots = Array.from({ length: Math.min(this.concurrency, Math.max(1, todo.length)) }, () =>
        this.slot(take),
      );
      await Promise.all(slots);
      while (this.finishing.size > 0) await Promise.all(this.finishing);
    } finally {
      this.options.signal?.removeEventListener('abort', onSignal);
      this.generator.off('submitted', onSubmitted);
      this.generator.off('queued', onQueued);
      this.generator.off('progress', onRunning);
      this.generator.off('completed', onEnded);
      this.generator.off('failed', onEnded);
    }
    const report: BatchRunReport = {
      progress: { ...this.counts },
      outcomes: { ...this.outcomes },
      durations: [...this.durations],
      notRun: this.counts.total - this.counts.finished,
      downloadFailures: this.downloadFailures,
      wallMs: this.clock.now() - startedAt,
    };
    if (this.stopReason !== undefined) report.stopReason = this.stopReason;
    if (this.fatal) report.fatal = this.fatal;
    return report;
  }

  /** One slot: takes the next prompt as soon as the previous one's job has ended. */
  private async slot(take: () => BatchPrompt | undefined): Promise<void> {
    for (;;) {
      if (this.stop.signal.aborted) return;
      const prompt = take();
      if (prompt === undefined) return;
      const state = this.states.get(prompt.id) as PromptState;
      this.counts.running += 1;
      this.emit('progress', { ...this.counts });
      let generated: Generated;
      try {
        generated = await this.generate(prompt, state);
      } catch (error) {
        this.onFatal(error);
        generated = 'interrupted';
      } finally {
        this.counts.running -= 1;
        this.unhold(prompt.id);
      }
      if (generated !== 'interrupted') {
        // Downloads and the final records do not hold a Midjourney slot: the next prompt goes out now.
        const task = this.finish(prompt, state, generated.unsaved).catch((error: unknown) =>
          this.onFatal(error),
        );
        this.finishing.add(task);
        void task.finally(() => this.finishing.delete(task));
      }
    }
  }

  /** Runs the prompt's steps (/imagine, then each action) to success or a recorded failure. */
  private async generate(prompt: BatchPrompt, state: PromptState): Promise<Generated> {
    const steps = 1 + prompt.actions.length;
    while (state.step < steps && !state.steps.some((s) => s.failure)) {
      const step = state.step;
      let result: GenerationResult | undefined;
      try {
        if (state.ticket !== undefined) result = await this.resume(prompt, step, state.ticket);
        if (result === undefined) {
          if (!(await this.gate())) return 'interrupted';
          result = await this.submit(prompt, state, step);
        }
      } catch (error) {
        if (error instanceof BatchJournalError) throw error;
        if (error instanceof StopBeforeSend) return 'interrupted';
        const outcome = outcomeOf(error);
        const info = errorInfo(error);
        if (STOP_CODES.has(info.code)) {
          // Refused locally before anything was sent (daily cap, client closed): not the prompt's
          // outcome. The batch stops; a later run sends it.
          this.halt(`${info.name}: ${info.message}`, info);
          return 'interrupted';
        }
        if (ACCOUNT_STOP_OUTCOMES.has(outcome))
          this.halt(`the account cannot take jobs (${info.message})`, info);
        const decision = planRetry(
          { outcome, attempts: stepOf(state, step).attempts, retryAfterMs: retryAfterOf(error) },
          this.policy,
          this.random,
        );
        if (decision.retry && !this.stop.signal.aborted) {
          await this.record({
            t: 'attempt-failed',
            id: prompt.id,
            step,
            outcome,
            error: info,
            at: this.clock.now(),
          });
          this.emit('retry', prompt.id, outcome, decision.delayMs);
          if (outcome === 'queue-full') {
            // Midjourney's queue is full for the whole account: every slot waits, not just this one.
            this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + decision.delayMs);
            this.emit('paused', 'queue-full', decision.delayMs);
          } else if (!(await this.sleep(decision.delayMs))) {
            return 'interrupted';
          }
          continue;
        }
        await this.record({
          t: 'step-failed',
          id: prompt.id,
          step,
          outcome,
          error: info,
          at: this.clock.now(),
        });
        break;
      }
      const done: JournalRecord = { t: 'step-done', id: prompt.id, step, result, at: this.clock.now() };
      if (step === steps - 1) {
        // The last result need not be on disk before the slot moves on: after a crash, resuming
        // its ticket finds the finished job again. It is written with the prompt's final record.
        applyRecord(this.states, done);
        return { unsaved: done };
      }
      await this.record(done);
    }
    return { unsaved: undefined };
  }

  /** Follows a journaled ticket; undefined when the job never reached Discord (safe to submit). */
  private async resume(
    prompt: BatchPrompt,
    step: number,
    ticket: SubmissionTicket,
  ): Promise<GenerationResult | undefined> {
    this.emit('debug', `${prompt.id}: looking for the job of nonce ${ticket.nonce} before submitting again`);
    try {
      return await this.generator.resume(ticket, this.jobOptions());
    } catch (error) {
      if (!isMidjourneyError(error, 'JOB_NOT_FOUND')) throw error;
      await this.record({
        t: 'attempt-failed',
        id: prompt.id,
        step,
        outcome: 'not-found',
        error: errorInfo(error),
        at: this.clock.now(),
      });
      return undefined;
    }
  }

  private async submit(prompt: BatchPrompt, state: PromptState, step: number): Promise<GenerationResult> {
    const controller = new AbortController();
    let sent = false;
    // Stopping cancels a job that has not reached onSubmit yet (nothing is sent); later, it runs on.
    const onStop = (): void => {
      if (!sent) controller.abort(new StopBeforeSend());
    };
    this.stop.signal.addEventListener('abort', onStop, { once: true });
    let nonce: string | undefined;
    const options: JobOptions = {
      ...this.jobOptions(),
      signal: controller.signal,
      onSubmit: async (ticket) => {
        if (this.stop.signal.aborted) throw new StopBeforeSend();
        sent = true;
        nonce = ticket.nonce;
        this.byNonce.set(ticket.nonce, { id: prompt.id, step });
        await this.record({ t: 'submitting', id: prompt.id, step, ticket, at: this.clock.now() });
      },
    };
    try {
      if (step === 0) return await this.generator.imagine(prompt.prompt, options);
      const source = state.steps[0]?.result;
      const action = prompt.actions[step - 1];
      if (source === undefined || action === undefined) throw new Error(`step ${step} has no grid to act on`);
      return await this.generator.act(source, action, options);
    } catch (error) {
      if (!sent && (controller.signal.aborted || error instanceof StopBeforeSend)) throw new StopBeforeSend();
      throw error;
    } finally {
      this.stop.signal.removeEventListener('abort', onStop);
      if (nonce !== undefined) this.byNonce.delete(nonce);
    }
  }

  private jobOptions(): JobOptions {
    return this.options.jobTimeoutMs === undefined ? {} : { timeoutMs: this.options.jobTimeoutMs };
  }

  /** Downloads (if asked), then makes the final record durable and writes the result line. */
  private async finish(
    prompt: BatchPrompt,
    state: PromptState,
    unsaved: JournalRecord | undefined,
  ): Promise<void> {
    const files: (string[] | undefined)[] = [];
    let downloadError: ErrorInfo | undefined;
    const downloader = this.options.downloader;
    const pending = unsaved ? [unsaved] : [];
    if (downloader) {
      if (pending.length > 0) await this.journal.append(...pending.splice(0));
      const steps = state.steps.map((step, index) => ({ step, index })).filter(({ step }) => step.result);
      const saved = await Promise.allSettled(
        steps.map(({ step, index }) => {
          const result = step.result as GenerationResult;
          const name = index === 0 ? prompt.id : `${prompt.id}-${prompt.actions[index - 1]}`;
          return downloader.save(result.imageUrl, name, result.kind !== 'upscale');
        }),
      );
      saved.forEach((outcome, i) => {
        const index = steps[i]?.index ?? 0;
        if (outcome.status === 'fulfilled') files[index] = outcome.value;
        else downloadError ??= errorInfo(outcome.reason);
      });
      if (downloadError) this.downloadFailures += 1;
    }
    const line = buildResultLine(prompt, state, files as StepFiles, downloadError, this.clock.now());
    const final: JournalRecord = {
      t: line.ok ? 'done' : 'failed',
      id: prompt.id,
      result: line,
      at: this.clock.now(),
    };
    await this.journal.append(...pending, final);
    applyRecord(this.states, final);
    await this.options.writeResult(line);
    this.states.delete(prompt.id);
    this.count(line, true);
    this.emit('finished', line);
    this.emit('progress', { ...this.counts });
  }

  private count(line: ResultLine, thisRun: boolean): void {
    this.outcomes[line.outcome] = (this.outcomes[line.outcome] ?? 0) + 1;
    this.counts.finished += 1;
    if (line.ok) this.counts.succeeded += 1;
    else this.counts.failed += 1;
    if (thisRun) {
      this.counts.finishedThisRun += 1;
      if (line.durationMs !== undefined) this.durations.push(line.durationMs);
    }
  }

  /** Waits until a submission may go out; false when the batch is stopping. */
  private async gate(): Promise<boolean> {
    let counted = false;
    try {
      for (;;) {
        if (this.stop.signal.aborted) return false;
        const wait = this.pausedUntil - this.clock.now();
        if (wait <= 0 && this.held.size === 0) return true;
        if (!counted) {
          counted = true;
          this.counts.waiting += 1;
          this.emit('progress', { ...this.counts });
        }
        if (wait > 0) {
          if (!(await this.sleep(wait))) return false;
        } else {
          await new Promise<void>((resolve) => this.wakers.add(resolve));
        }
      }
    } finally {
      if (counted) this.counts.waiting -= 1;
    }
  }

  private async sleep(ms: number): Promise<boolean> {
    try {
      await this.clock.sleep(ms, this.stop.signal);
      return true;
    } catch {
      return false;
    }
  }

  /** A queued job of ours started or ended: Midjourney has a slot again. */
  private unhold(promptId: string | undefined): void {
    if (promptId !== undefined && this.held.delete(promptId) && this.held.size === 0) this.wake();
  }

  private wake(): void {
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  private onSubmitted(job: JobRef, ticket: SubmissionTicket): void {
    const ref = this.byNonce.get(ticket.nonce);
    if (ref === undefined) return;
    this.ourJobs.set(job.id, ref.id);
    this.record({ t: 'submitted', id: ref.id, step: ref.step, at: this.clock.now() }).catch(
      (error: unknown) => this.onFatal(error),
    );
  }

  private onQueued(job: JobRef): void {
    const id = this.ourJobs.get(job.id);
    if (id === undefined || this.held.has(id)) return;
    this.held.add(id);
    this.emit('paused', 'job-queued', undefined);
  }

  private async record(record: JournalRecord): Promise<void> {
    await this.journal.append(record);
    applyRecord(this.states, record);
  }

  private halt(reason: string, fatal?: ErrorInfo): void {
    if (this.stop.signal.aborted) return;
    this.stopReason = reason;
    if (fatal) this.fatal = fatal;
    this.emit('stopping', reason);
    this.stop.abort(new StopBeforeSend());
    this.wake();
  }

  private onFatal(error: unknown): void {
    const info = errorInfo(error);
    this.halt(`${info.name}: ${info.message}`, info);
  }
}

/** Generator errors that stop the batch without deciding the prompt's outcome. */
const STOP_CODES: ReadonlySet<string> = new Set(['DAILY_CAP_REACHED', 'GENERATOR_CLOSED']);

/** Internal: the batch stopped before this job's interaction was sent. */
class StopBeforeSend extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('The batch is stopping; the job was not sent');
  }
}

function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfter?: unknown } | undefined)?.retryAfter;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
