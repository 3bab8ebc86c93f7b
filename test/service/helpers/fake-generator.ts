/**
 * A scriptable Generator for the service tests. Each call becomes a FakeJob the test drives:
 * `send()` (onSubmit awaited, then the `submitted` event, as the orchestrator does), `progress()`,
 * `complete()`, `fail()`. `sent` counts interactions that "reached Discord", so tests can assert
 * that nothing was paid for twice.
 */
import { EventEmitter } from 'eventemitter3';
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

let nonceSeq = 1_100_000_000_000_000_000n;

export class FakeJob {
  readonly ref: JobRef;
  ticket: SubmissionTicket | undefined;
  readonly promise: Promise<GenerationResult>;
  settled = false;
  private resolveFn!: (r: GenerationResult) => void;
  private rejectFn!: (e: unknown) => void;

  constructor(
    private readonly generator: FakeGenerator,
    readonly method: 'imagine' | 'act' | 'resume',
    readonly kind: JobKind,
    readonly prompt: string,
    readonly options: JobOptions,
    readonly action?: string,
    resumeTicket?: SubmissionTicket,
  ) {
    this.ref = { id: `fake-${generator.calls.length + 1}`, kind, prompt };
    this.ticket = resumeTicket;
    this.promise = new Promise((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    const signal = options.signal;
    signal?.addEventListener('abort', () => this.fail(signal.reason), { once: true });
  }

  /** Only the awaited onSubmit: as if the process died before the interaction went out. */
  async prepare(): Promise<SubmissionTicket> {
    if (this.options.signal?.aborted) throw this.options.signal.reason;
    const ticket: SubmissionTicket = {
      kind: this.kind,
      prompt: this.prompt,
      channelId: '1100000000000000001',
      nonce: String(nonceSeq++),
      afterMessageId: '1100000000000000002',
      submittedAt: this.generator.now(),
    };
    this.ticket = ticket;
    await this.options.onSubmit?.(ticket);
    return ticket;
  }

  /** onSubmit (awaited) then the interaction "reaches Discord" and `submitted` is emitted. */
  async send(): Promise<SubmissionTicket> {
    const ticket = await this.prepare();
    this.generator.sent += 1;
    this.generator.sentPrompts.push(this.prompt);
    this.generator.emit('submitted', this.ref, ticket);
    return ticket;
  }

  started(): void {
    this.generator.emit('started', this.ref, '1100000000000000009');
  }

  queuedNotice(text = 'Job queued'): void {
    this.generator.emit('queued', this.ref, text);
  }

  progress(percent: number, previewUrl = `https://cdn.test/preview_${percent}.webp`): void {
    const info = { percent, previewUrl, messageId: '1100000000000000009', mode: 'fast' as const };
    this.options.onProgress?.(info);
    this.generator.emit('progress', this.ref, info);
  }

  complete(overrides: Partial<GenerationResult> = {}): GenerationResult {
    const now = this.generator.now();
    const uuid = `00000000-0000-4000-8000-${String(this.generator.calls.length).padStart(12, '0')}`;
    const result: GenerationResult = {
      kind: this.kind,
      jobId: uuid,
      messageId: '1100000000000000010',
      channelId: '1100000000000000001',
      prompt: this.prompt,
      echoedPrompt: `${this.prompt} --v 6`,
      imageUrl: `https://cdn.test/${uuid}.png`,
      imageUrls: [`https://cdn.test/${uuid}.png`],
      actions:
        this.kind === 'upscale'
          ? {}
          : {
              U1: `MJ::JOB::upsample::1::${uuid}`,
              U2: `MJ::JOB::upsample::2::${uuid}`,
              V1: `MJ::JOB::variation::1::${uuid}`,
              V3: `MJ::JOB::variation::3::${uuid}`,
              reroll: `MJ::JOB::reroll::0::${uuid}::SOLO`,
            },
      messageFlags: 0,
      mode: 'fast',
      timings: { submittedAt: now - 1_000, completedAt: now, durationMs: 1_000 },
      ...overrides,
    };
    if (!this.settled) {
      this.settled = true;
      this.generator.emit('completed', this.ref, result);
      this.resolveFn(result);
    }
    return result;
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (error instanceof Error) this.generator.emit('failed', this.ref, error);
    this.rejectFn(error);
  }
}

export interface FakeGeneratorOptions {
  /** Send each job as soon as it is started (default true). */
  autoSend?: boolean;
  /** Called for each new job (after auto-send); may drive it to an outcome. */
  script?: (job: FakeJob) => void | Promise<void>;
  /**
   * What `resume` does: `found` keeps the job (test drives it), `not-found` rejects with
   * JOB_NOT_FOUND (whatever `sendConfirmed` says, to check the service's own rule), `unresolved`
   * with RESUME_UNRESOLVED (reads failed until the deadline). Default found.
   */
  resume?: (ticket: SubmissionTicket) => 'found' | 'not-found' | 'unresolved';
  now?: () => number;
}

/** A Midjourney-layer style error: a code, the prompt, retryable. */
export class FakeMidjourneyError extends Error {
  constructor(
    override readonly name: string,
    readonly code: string,
    message: string,
    readonly prompt: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** A transport error as the REST layer reports a 5xx. */
export class FakeDiscordHTTPError extends Error {
  override readonly name = 'DiscordHTTPError';
  readonly code = 'DISCORD_HTTP_ERROR';
  readonly status = 502;
  constructor() {
    super('Discord answered 502 Bad Gateway');
  }
}

export class FakeJobNotFoundError extends Error {
  override readonly name = 'JobNotFoundError';
  readonly code = 'JOB_NOT_FOUND';
}

export class FakeResumeUnresolvedError extends Error {
  override readonly name = 'ResumeUnresolvedError';
  readonly code = 'RESUME_UNRESOLVED';
  readonly retryable = true;
  readonly safeToResend = false;
}

export class FakeGenerator extends EventEmitter<GenerationEvents> implements Generator {
  readonly calls: FakeJob[] = [];
  /** Interactions that reached "Discord". */
  sent = 0;
  readonly sentPrompts: string[] = [];
  readonly resumed: SubmissionTicket[] = [];
  /** `sendConfirmed` as each `resume` call passed it, by nonce. */
  readonly confirmedOnResume = new Map<string, boolean | undefined>();
  closed = false;
  private readonly waiters: ((job: FakeJob) => void)[] = [];

  constructor(private readonly options: FakeGeneratorOptions = {}) {
    super();
  }

  now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Resolves with the n-th job started (1-based), now or when it starts. */
  async job(n: number): Promise<FakeJob> {
    while (this.calls.length < n) await new Promise<FakeJob>((resolve) => this.waiters.push(resolve));
    return this.calls[n - 1]!;
  }

  private start(job: FakeJob): Promise<GenerationResult> {
    this.calls.push(job);
    for (const w of this.waiters.splice(0)) w(job);
    void (async () => {
      try {
        if (job.method !== 'resume' && this.options.autoSend !== false) await job.send();
        await this.options.script?.(job);
      } catch (error) {
        job.fail(error);
      }
    })();
    return job.promise;
  }

  imagine(prompt: string, options: JobOptions = {}): Promise<GenerationResult> {
    return this.start(new FakeJob(this, 'imagine', 'imagine', prompt, options));
  }

  act(source: GenerationResult, action: JobAction, options: JobOptions = {}): Promise<GenerationResult> {
    const kind: JobKind = action.startsWith('U')
      ? 'upscale'
      : action.startsWith('V')
        ? 'variation'
        : 'reroll';
    return this.start(new FakeJob(this, 'act', kind, source.prompt, options, action));
  }

  resume(ticket: SubmissionTicket, options: ResumeOptions = {}): Promise<GenerationResult> {
    this.resumed.push(ticket);
    this.confirmedOnResume.set(ticket.nonce, options.sendConfirmed);
    const found = this.options.resume?.(ticket) ?? 'found';
    if (found === 'not-found') {
      return Promise.reject(new FakeJobNotFoundError(`No trace of job ${ticket.nonce} in the channel`));
    }
    if (found === 'unresolved') {
      return Promise.reject(new FakeResumeUnresolvedError(`Could not tell whether job ${ticket.nonce} ran`));
    }
    return this.start(new FakeJob(this, 'resume', ticket.kind, ticket.prompt, options, undefined, ticket));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
