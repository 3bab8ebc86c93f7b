/**
 * The batch engine: keeps `concurrency` slots busy with prompts, journals every transition before
 * acting on it, resumes journaled tickets instead of paying twice, backs off on "Queue full" /
 * "Job queued" without flooding, and drains on stop. Larger than most files because it is the one
 * place where these rules meet; the decisions it sequences (retry, outcome, result line) are pure
 * functions in their own files.
 */
import { EventEmitter } from 'eventemitter3';
import { restartAction, resumeEvidenceOf } from '../generation/restart-rule.js';
import type {
  GenerationResult,
  Generator,
  JobOptions,
  JobRef,
  SubmissionTicket,
} from '../generation/types.js';
import { type Clock, type Random, systemClock } from '../util/clock.js';
import { downloadResults } from './download-results.js';
import { BatchJournalError } from './errors.js';
import type { Journal } from './journal.js';
import {
  applyRecord,
  initialState,
  type JournalRecord,
  type PromptState,
  sendConfirmed,
  stepOf,
} from './journal-records.js';
import { ACCOUNT_STOP_OUTCOMES, errorInfo, outcomeOf } from './outcome.js';
import type { BatchPrompt } from './prompt.js';
import { buildResultLine, type ErrorInfo, type StepFiles } from './result-line.js';
import { DEFAULT_RETRY_POLICY, planRetry, type RetryPolicy } from './retry-policy.js';
import type { BatchEvents, BatchProgress, BatchRunnerOptions, BatchRunReport } from './runner-types.js';
import { SubmissionGate } from './submission-gate.js';
import { BatchTally } from './tally.js';

export type { BatchEvents, BatchProgress, BatchRunnerOptions, BatchRunReport } from './runner-types.js';

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
  private readonly gate: SubmissionGate;
  private stopReason: string | undefined;
  private fatal: ErrorInfo | undefined;
  /** Ticket nonce -> prompt/step, to journal `submitted` from the generator's event. */
  private readonly byNonce = new Map<string, { id: string; step: number }>();
  /** The generator's job ids of our jobs in flight -> prompt id. */
  private readonly ourJobs = new Map<string, string>();
  /** Unfinished prompts only, so a long batch stays flat in memory. */
  private readonly states = new Map<string, PromptState>();
  private readonly finishing = new Set<Promise<void>>();
  private tally = new BatchTally(0, 0);

  /** The counts right now (a copy). */
  get progress(): BatchProgress {
    return { ...this.tally.progress, waiting: this.gate.waiting };
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
    this.gate = new SubmissionGate(this.clock, this.stop.signal, () => this.emitProgress());
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
    this.tally = new BatchTally(prompts.length, startedAt);
    const todo: BatchPrompt[] = [];
    const fresh: JournalRecord[] = [];
    for (const prompt of prompts) {
      const earlier = resumed.get(prompt.id);
      if (earlier === undefined) fresh.push({ t: 'pending', id: prompt.id, at: startedAt });
      if (earlier?.result !== undefined && (earlier.status === 'done' || earlier.status === 'failed')) {
        this.tally.count(earlier.result, false);
        continue;
      }
      this.states.set(prompt.id, structuredClone(earlier) ?? initialState());
      todo.push(prompt);
    }
    // Prompts whose job may be out there already go first: their slot is likely taken at Midjourney.
    const inFlight = (p: BatchPrompt): number => Number(this.states.get(p.id)?.ticket !== undefined);
    todo.sort((a, b) => inFlight(b) - inFlight(a));
    if (fresh.length > 0) await this.journal.append(...fresh);

    const detach = this.attach();
    try {
      this.emitProgress();
      let next = 0;
      const take = (): BatchPrompt | undefined => todo[next++];
      const slots = Math.min(this.concurrency, Math.max(1, todo.length));
      await Promise.all(Array.from({ length: slots }, () => this.slot(take)));
      while (this.finishing.size > 0) await Promise.all(this.finishing);
    } finally {
      detach();
    }
    const report: BatchRunReport = {
      progress: this.progress,
      outcomes: { ...this.tally.outcomes },
      durations: [...this.tally.durations],
      notRun: this.tally.progress.total - this.tally.progress.finished,
      downloadFailures: this.tally.downloadFailures,
      wallMs: this.clock.now() - startedAt,
    };
    if (this.stopReason !== undefined) report.stopReason = this.stopReason;
    if (this.fatal) report.fatal = this.fatal;
    return report;
  }

  /** Listens to the stop signal and the generator's events for the run; returns the undo. */
  private attach(): () => void {
    const onSignal = (): void => this.halt('interrupted');
    if (this.options.signal?.aborted) onSignal();
    this.options.signal?.addEventListener('abort', onSignal, { once: true });
    const onSubmitted = (job: JobRef, ticket: SubmissionTicket): void => this.onSubmitted(job, ticket);
    const onQueued = (job: JobRef): void => {
      const id = this.ourJobs.get(job.id);
      if (id !== undefined && this.gate.hold(id)) this.emit('paused', 'job-queued', undefined);
    };
    // A queued job that shows progress or ends has a Midjourney slot: lift its hold.
    const onRunning = (job: JobRef): void => this.gate.release(this.ourJobs.get(job.id));
    const onEnded = (job: JobRef): void => {
      this.gate.release(this.ourJobs.get(job.id));
      this.ourJobs.delete(job.id);
    };
    this.generator.on('submitted', onSubmitted);
    this.generator.on('queued', onQueued);
    this.generator.on('progress', onRunning);
    this.generator.on('completed', onEnded);
    this.generator.on('failed', onEnded);
    return () => {
      this.options.signal?.removeEventListener('abort', onSignal);
      this.generator.off('submitted', onSubmitted);
      this.generator.off('queued', onQueued);
      this.generator.off('progress', onRunning);
      this.generator.off('completed', onEnded);
      this.generator.off('failed', onEnded);
    };
  }

  /** One slot: takes the next prompt as soon as the previous one's job has ended. */
  private async slot(take: () => BatchPrompt | undefined): Promise<void> {
    for (;;) {
      if (this.stop.signal.aborted) return;
      const prompt = take();
      if (prompt === undefined) return;
      const state = this.states.get(prompt.id) as PromptState;
      this.tally.progress.running += 1;
      this.emitProgress();
      let generated: Generated;
      try {
        generated = await this.generate(prompt, state);
      } catch (error) {
        this.onFatal(error);
        generated = 'interrupted';
      } finally {
        this.tally.progress.running -= 1;
        this.gate.release(prompt.id);
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
        if (state.ticket !== undefined) result = await this.resume(prompt, state, step, state.ticket);
        if (result === undefined) {
          if (!(await this.gate.pass())) return 'interrupted';
          result = await this.submit(prompt, state, step);
        }
      } catch (error) {
        if (error instanceof BatchJournalError) throw error;
        if (error instanceof StopBeforeSend || error instanceof StillUnresolved) return 'interrupted';
        const outcome = outcomeOf(error);
        const info = errorInfo(error);
        if (STOP_CODES.has(info.code)) {
          // Refused locally before anything was sent (daily cap, client closed): not the prompt's
          // outcome. The batch stops; a later run sends it.
          this.halt(`${info.name}: ${info.message}`, info);
          return 'interrupted';
        }
        if (ACCOUNT_STOP_OUTCOMES.has(outcome) && !this.accountsLeft())
          this.halt(`the account cannot take jobs (${info.message})`, info);
        const decision = planRetry(
          {
            outcome,
            attempts: stepOf(state, step).attempts,
            retryAfterMs: retryAfterOf(error),
            retryable: info.retryable,
          },
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
            this.gate.pauseFor(decision.delayMs);
            this.emit('paused', 'queue-full', decision.delayMs);
          } else if (!(await this.gate.sleep(decision.delayMs))) {
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

  /**
   * Follows a journaled ticket by the restart rule (src/generation/restart-rule.ts); undefined
   * when it proved the job never ran (not found, the send proved never attempted): safe to submit,
   * once. An unconfirmed send that is not found fails (`SUBMISSION_UNCERTAIN`: it may have run). A
   * job whose absence could not be established keeps its ticket for a later run (StillUnresolved).
   */
  private async resume(
    prompt: BatchPrompt,
    state: PromptState,
    step: number,
    ticket: SubmissionTicket,
  ): Promise<GenerationResult | undefined> {
    this.emit('debug', `${prompt.id}: looking for the job of nonce ${ticket.nonce} before submitting again`);
    const confirmed = sendConfirmed(state);
    try {
      return await this.generator.resume(ticket, { ...this.jobOptions(), sendConfirmed: confirmed });
    } catch (error) {
      const evidence = resumeEvidenceOf(error);
      // The job's own outcome (found), or an interruption: handled as for any job.
      if (evidence === undefined) throw error;
      const action = restartAction({ evidence, sendConfirmed: confirmed });
      if (action === 'keep-looking') {
        this.emit('debug', `${prompt.id}: ${(error as Error).message}; the next run looks for it again`);
        throw new StillUnresolved();
      }
      // Not found, but Discord had accepted it: never resent (recorded as the step's failure).
      if (action !== 'resend') throw error;
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
      if (step === 0) {
        const bot = prompt.botType !== undefined ? { botType: prompt.botType } : {};
        return await this.generator.imagine(prompt.prompt, { ...options, ...bot });
      }
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

  /**
   * An AccountPool reports the slots of its enabled accounts (`capacity`): an account-level
   * outcome then stops the batch only once no account is left. A single client has no such field.
   */
  private accountsLeft(): boolean {
    const capacity = (this.generator as { capacity?: unknown }).capacity;
    return typeof capacity === 'number' && capacity > 0;
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
    const pending = unsaved ? [unsaved] : [];
    let files: StepFiles = [];
    let downloadError: ErrorInfo | undefined;
    if (this.options.downloader) {
      // The results first: downloads can take a while and a crash should not lose them.
      if (pending.length > 0) await this.journal.append(...pending.splice(0));
      ({ files, error: downloadError } = await downloadResults(this.options.downloader, prompt, state));
    }
    const line = buildResultLine(prompt, state, files, downloadError, this.clock.now());
    const final: JournalRecord = {
      t: line.ok ? 'done' : 'failed',
      id: prompt.id,
      result: line,
      at: this.clock.now(),
    };
    await this.journal.append(...pending, final);
    await this.options.writeResult(line);
    this.states.delete(prompt.id);
    this.tally.count(line, true);
    this.emit('finished', line);
    this.emitProgress();
  }

  private emitProgress(): void {
    if (this.listenerCount('progress') > 0) this.emit('progress', this.progress);
  }

  private onSubmitted(job: JobRef, ticket: SubmissionTicket): void {
    const ref = this.byNonce.get(ticket.nonce);
    if (ref === undefined) return;
    this.ourJobs.set(job.id, ref.id);
    this.record({ t: 'submitted', id: ref.id, step: ref.step, at: this.clock.now() }).catch(
      (error: unknown) => this.onFatal(error),
    );
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
  }

  private onFatal(error: unknown): void {
    const info = errorInfo(error);
    this.halt(`${info.name}: ${info.message}`, info);
  }
}

/** Generator errors that stop the batch without deciding the prompt's outcome. */
const STOP_CODES: ReadonlySet<string> = new Set([
  'DAILY_CAP_REACHED',
  'GENERATOR_CLOSED',
  'NO_ACCOUNT_AVAILABLE',
]);

/** Internal: a resumed job could not be found nor proven absent; its ticket stays journaled. */
class StillUnresolved extends Error {
  override readonly name = 'StillUnresolved';
}

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
