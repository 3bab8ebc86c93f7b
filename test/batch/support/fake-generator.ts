/**
 * A scripted Generator for the runner's unit tests: each prompt gets a list of outcomes, one per
 * submission; jobs end when the test releases them (manual) or on the next turn of the event loop.
 * It honours the contract the runner relies on: onSubmit awaited before "sending", `submitted`
 * after, and `resume` by the restart rule: it finds a job by the ticket's nonce; else, while reads
 * "fail" (`unresolved`), it rejects with ResumeUnresolvedError; else with JobNotFoundError when
 * the send was proved never attempted (`neverSent`), SubmissionUncertainError when it was not
 * confirmed, InferredPreModerationError when it was (the default).
 */
import { EventEmitter } from 'eventemitter3';
import {
  InferredPreModerationError,
  ResumeUnresolvedError,
  SubmissionUncertainError,
} from '../../../src/generation/errors.js';
import type {
  GenerationEvents,
  GenerationResult,
  Generator,
  JobAction,
  JobKind,
  JobOptions,
  JobRef,
  ResumeOptions,
  SubmissionTicket,
} from '../../../src/generation/types.js';
import { JobNotFoundError } from '../../../src/midjourney/errors.js';
import { settle, waitFor } from './manual-clock.js';

export type Outcome = 'ok' | Error | ((prompt: string) => Error);

export interface Job {
  ref: JobRef;
  ticket: SubmissionTicket;
  outcome: Outcome;
  release: () => void;
  released: Promise<void>;
  promise: Promise<GenerationResult>;
}

export class FakeGenerator extends EventEmitter<GenerationEvents> implements Generator {
  /** Every submission sent, in order. */
  readonly sent: { kind: JobKind; prompt: string; action?: JobAction; nonce: string }[] = [];
  readonly resumed: string[] = [];
  /** `sendConfirmed` as each `resume` call passed it, by nonce. */
  readonly confirmedOnResume = new Map<string, boolean | undefined>();
  /** Nonces whose channel reads "fail": resume cannot tell whether they ran. */
  readonly unresolved = new Set<string>();
  readonly jobs = new Map<string, Job>();
  inFlight = 0;
  maxInFlight = 0;
  private seq = 0;
  private readonly outcomes = new Map<string, Outcome[]>();

  /** Where result images point (a test server serves them). */
  imageBase = 'http://127.0.0.1:1/attachments';

  /** Called after onSubmit resolved, where a real client would POST the interaction. */
  beforeSend: ((ticket: SubmissionTicket) => void) | undefined;

  /** With `manual`, jobs wait for `release`; otherwise they end on the next event-loop turn. */
  constructor(
    private readonly manual = false,
    /** Nonces start after this, so two fakes in one test never share one. */
    private readonly nonceBase = 1_000_000_000_000_000_000n,
  ) {
    super();
  }

  /** Midjourney answers a job with "Job queued" (it still runs later). */
  queue(job: Job): void {
    this.emit('queued', job.ref, 'Job queued');
  }

  /** Outcomes for the successive submissions of `prompt` (the last one repeats). */
  when(prompt: string, ...outcomes: Outcome[]): this {
    this.outcomes.set(prompt, outcomes);
    return this;
  }

  submissionsOf(prompt: string): number {
    return this.sent.filter((s) => s.prompt === prompt).length;
  }

  /** Jobs not yet released (manual mode), oldest first. */
  readonly pending: Job[] = [];

  release(count = this.pending.length): void {
    for (const job of this.pending.splice(0, count)) job.release();
  }

  /** Registers a job as if an earlier process had submitted it (for resume tests). */
  preexisting(ticket: SubmissionTicket, outcome: Outcome = 'ok'): void {
    this.start('imagine', ticket.prompt, ticket, outcome);
    this.release();
  }

  imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    return this.submit('imagine', prompt, undefined, options);
  }

  act(source: GenerationResult, action: JobAction, options: JobOptions = {}): Promise<GenerationResult> {
    return this.submit(action.startsWith('U') ? 'upscale' : 'variation', source.prompt, action, options);
  }

  async resume(ticket: SubmissionTicket, options: ResumeOptions = {}): Promise<GenerationResult> {
    this.resumed.push(ticket.nonce);
    this.confirmedOnResume.set(ticket.nonce, options.sendConfirmed);
    const job = this.jobs.get(ticket.nonce);
    if (job !== undefined) return job.promise;
    if (this.unresolved.has(ticket.nonce)) {
      throw new ResumeUnresolvedError(ticket.prompt, ticket.nonce, 600_000, 12);
    }
    if (options.sendConfirmed === false && options.neverSent === true)
      throw new JobNotFoundError({ prompt: ticket.prompt, nonce: ticket.nonce });
    if (options.sendConfirmed === false) {
      throw new SubmissionUncertainError({
        prompt: ticket.prompt,
        nonce: ticket.nonce,
        waitedMs: 1_000,
        resumed: true,
      });
    }
    throw new InferredPreModerationError(ticket.prompt, 1_000, { resumed: true });
  }

  async close(): Promise<void> {}

  private async submit(
    kind: JobKind,
    prompt: string,
    action: JobAction | undefined,
    options: JobOptions,
  ): Promise<GenerationResult> {
    options.signal?.throwIfAborted();
    this.seq += 1;
    const ticket: SubmissionTicket = {
      kind,
      prompt,
      channelId: '100000000000000001',
      nonce: String(this.nonceBase + BigInt(this.seq)),
      afterMessageId: null,
      submittedAt: Date.now(),
    };
    await options.onSubmit?.(ticket);
    options.signal?.throwIfAborted();
    this.beforeSend?.(ticket);
    const attempt = this.sent.filter((s) => s.prompt === prompt && s.kind === kind).length;
    this.sent.push({ kind, prompt, nonce: ticket.nonce, ...(action ? { action } : {}) });
    const outcomes = this.outcomes.get(prompt) ?? ['ok'];
    const outcome = kind === 'imagine' ? (outcomes[Math.min(attempt, outcomes.length - 1)] ?? 'ok') : 'ok';
    const job = this.start(kind, prompt, ticket, outcome);
    this.emit('submitted', job.ref, ticket);
    if (!this.manual) setImmediate(() => job.release());
    return job.promise;
  }

  private start(kind: JobKind, prompt: string, ticket: SubmissionTicket, outcome: Outcome): Job {
    let release = (): void => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ref: JobRef = { id: `job-${ticket.nonce}`, kind, prompt };
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const promise = released.then(() => {
      this.inFlight -= 1;
      if (outcome === 'ok') {
        const result = fakeResult(kind, prompt, ticket, this.imageBase);
        this.emit('completed', ref, result);
        return result;
      }
      const error = typeof outcome === 'function' ? outcome(prompt) : outcome;
      this.emit('failed', ref, error);
      throw error;
    });
    promise.catch(() => undefined);
    const job: Job = { ref, ticket, outcome, release, released, promise };
    this.jobs.set(ticket.nonce, job);
    this.pending.push(job);
    return job;
  }
}

export function fakeResult(
  kind: JobKind,
  prompt: string,
  ticket: SubmissionTicket,
  imageBase = 'http://127.0.0.1:1/attachments',
): GenerationResult {
  const jobId = `00000000-0000-4000-8000-${ticket.nonce.slice(-12).padStart(12, '0')}`;
  const imageUrl = `${imageBase}/${jobId}.png?ex=1&hm=secret`;
  return {
    kind,
    jobId,
    messageId: ticket.nonce,
    channelId: ticket.channelId,
    prompt,
    echoedPrompt: prompt,
    imageUrl,
    imageUrls: [imageUrl],
    actions: { U1: `MJ::JOB::upsample::1::${jobId}`, V1: `MJ::JOB::variation::1::${jobId}` },
    messageFlags: 0,
    timings: { submittedAt: ticket.submittedAt, completedAt: ticket.submittedAt + 1_000, durationMs: 1_000 },
  };
}

/** Releases jobs one at a time, as they come, until `total` were sent and none is left. */
export async function releaseAll(gen: FakeGenerator, total: number): Promise<void> {
  while (gen.sent.length < total || gen.pending.length > 0) {
    await waitFor(() => gen.pending.length > 0, 'a job to release');
    gen.release(1);
    await settle(5);
  }
}
