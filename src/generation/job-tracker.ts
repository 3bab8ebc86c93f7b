/**
 * The life of one job after it is registered with a watcher: it hears the job's own events,
 * classifies them, reports progress, and settles exactly once with a result or a typed error.
 * Every path ends: a terminal notice, a confirmed result, an inferred outcome after silence
 * (polling only), the hard deadline, the caller's signal, or the client closing.
 *
 * Results are confirmed, not taken at first sight: Midjourney's ephemeral moderation deletes a
 * finished result moments after it appears, so success resolves only once an observation that
 * started `confirmWindowMs` after the result appeared still shows it. The window counts from the
 * result's creation (its snowflake) when a poll found it late, so a poll that lands after the
 * window confirms at once and the window overlaps the poll interval instead of adding to it; over
 * the gateway it counts from the dispatch (seen as posted, and free of clock skew). Midjourney is
 * done with the job at sight, so `resultSeen` fires then (the caller frees its slot). Likewise a
 * deleted progress message is post-moderation only if no result replaced it within the window.
 *
 * A resumed job (restart-rule.ts) reads silence only from evidence: after its grace window it
 * waits for a complete, successful read of the channel that started after the window; failed
 * reads leave it unresolved, and at the hard deadline it ends unresolved, never "not found".
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import { type Classification, classify, toError } from '../midjourney/classifier.js';
import type { BotType } from '../midjourney/constants.js';
import { JobFailedError, JobTimeoutError } from '../midjourney/errors.js';
import type { ParsedMessage } from '../midjourney/parser.js';
import type { Clock } from '../util/clock.js';
import { snowflakeTimestamp } from '../util/snowflake.js';
import type { ChannelWatcher, JobEvent, WatchSource } from './channel-watcher.js';
import { InferredPreModerationError } from './errors.js';
import { toGenerationResult } from './result.js';
import type { GenerationResult, JobRef, ProgressInfo } from './types.js';

export interface JobTrackerHooks {
  started(messageId: Snowflake): void;
  progress(info: ProgressInfo): void;
  queued(notice: string): void;
  /**
   * Midjourney posted the result: its slot is free, whatever the confirmation decides. `result` is
   * what the call resolves with if the confirmation window passes (not yet final).
   */
  resultSeen?(result: GenerationResult): void;
  debug(message: string): void;
}

export interface JobTrackerOptions {
  ref: JobRef;
  channelId: Snowflake;
  /** The bot running the job, reported on its result. Default `midjourney`. */
  botType?: BotType;
  clock: Clock;
  watcher: Pick<ChannelWatcher, 'settle' | 'seesEphemeral'>;
  /** Hard deadline from submission (ms). */
  timeoutMs: number;
  /** At the deadline, how long failing looks are tried again before giving up (ms). Default 0. */
  deadlineReadGraceMs?: number;
  /** After "Job queued" the deadline is at least this far from the notice (ms). */
  queuedTimeoutMs: number;
  /** How long a result must survive (and a deleted progress message stay unreplaced) (ms). */
  confirmWindowMs: number;
  /** Polling only: no message within this -> inferred pre-moderation (ms); 0 disables. */
  notSeenTimeoutMs: number;
  /** The error after `notSeenTimeoutMs` of silence; default an inferred PreModerationError. */
  notSeenError?: (waitedMs: number) => Error;
  throwOnQueued: boolean;
  /**
   * One fresh observation of the channel, asked for before an outcome is inferred from absence
   * (the deadline, the silence timer): resolves true once it was applied, false when none could be
   * made in time (polls failing). Without it, absence is taken as observed.
   */
  look?: (signal: AbortSignal) => Promise<boolean>;
  hooks: JobTrackerHooks;
  /** Set for a resumed job: how its absence is established (see the file comment). */
  resume?: ResumeWatch;
}

/** How a resumed job decides that nothing of it is there (restart-rule.ts). */
export interface ResumeWatch {
  /** How long after the start of the resume the job's messages may still appear (ms). */
  graceMs: number;
  /** Resolves once a complete, successful read that started at or after `since` was applied. */
  covered: (since: number, signal: AbortSignal) => Promise<void>;
  /** The verdict when such a read shows nothing of the job (`restartAction` chose it). */
  notFound: (waitedMs: number) => Error;
  /** The error at the hard deadline while the job is still unresolved. */
  unresolved: (waitedMs: number) => Error;
}

interface SeenResult {
  message: APIMessage;
  parsed: ParsedMessage;
  seenAt: number;
  /** When the result appeared: the confirmation window counts from here. */
  postedAt: number;
}

export class JobTracker {
  /** Settles once; never rejects unhandled (callers await it). */
  readonly result: Promise<GenerationResult>;
  private resolveResult!: (result: GenerationResult) => void;
  private rejectResult!: (error: unknown) => void;
  private readonly life = new AbortController();
  private done = false;
  private submittedAt: number | undefined;
  private deadline = Number.POSITIVE_INFINITY;
  private startedAt: number | undefined;
  private startedMessageId: Snowflake | undefined;
  private lastState: string | undefined;
  private lastPercent: number | undefined;
  private messageSeen = false;
  private anySeen = false;
  private seenWaiters: (() => void)[] = [];
  private seenResult: SeenResult | undefined;
  private tentative: Classification | undefined;
  /** The send's last failure when it may or may not have reached Discord (see `unconfirmed`). */
  private sendError: Error | undefined;
  private unconfirmedExtraMs = 0;

  constructor(private readonly options: JobTrackerOptions) {
    this.result = new Promise<GenerationResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // The caller may only attach after an await; an early failure must not be "unhandled".
    this.result.catch(() => undefined);
  }

  get settled(): boolean {
    return this.done;
  }

  /** Whether anything of the job (a message, or an interaction event for its nonce) was seen. */
  get seen(): boolean {
    return this.anySeen;
  }

  /** Arms the deadline and the silence timer from the moment the interaction was sent. */
  start(submittedAt: number): void {
    this.submittedAt = submittedAt;
    this.deadline = submittedAt + this.options.timeoutMs;
    void this.runDeadline();
    if (this.options.resume) void this.runResumeGrace(this.options.resume, submittedAt);
    else if (this.options.notSeenTimeoutMs > 0) {
      void this.runNotSeen(this.options.notSeenTimeoutMs + this.unconfirmedExtraMs);
    }
  }

  /**
   * The interaction may have reached Discord, or not: its POST failed ambiguously and is never sent
   * again (send-rule.ts). The job is watched like any other, with the silence window longer by
   * `extraMs` (Discord may act on a held request late); if nothing of it is seen within that window
   * (gateway included) it rejects with `error` (a `SubmissionUncertainError`). Call before `start`.
   */
  unconfirmed(error: Error, extraMs = 0): void {
    this.sendError = error;
    this.unconfirmedExtraMs = extraMs;
  }

  /** Resolves true as soon as anything of the job is seen, false after `ms` without. */
  async waitSeen(ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.anySeen) return true;
    const wait = new AbortController();
    const seen = new Promise<void>((resolve) => this.seenWaiters.push(resolve)).then(() => wait.abort());
    try {
      await this.options.clock.sleep(
        ms,
        AbortSignal.any([wait.signal, this.life.signal, ...(signal ? [signal] : [])]),
      );
    } catch {
      signal?.throwIfAborted();
    }
    void seen;
    return this.anySeen;
  }

  handle = (event: JobEvent): void => {
    if (this.done) return;
    switch (event.type) {
      case 'fatal':
        this.fail(event.error);
        return;
      case 'interaction':
        this.markSeen(false);
        if (event.status === 'failure') {
          this.fail(
            new JobFailedError({
              prompt: this.options.ref.prompt,
              notice: `Discord reported the interaction failed${event.reason ? ` (${event.reason})` : ''}`,
            }),
          );
        }
        return;
      case 'message':
        this.markSeen(true);
        this.onClassified(classify({ type: 'message', message: event.message, parsed: event.parsed }), event);
        return;
      case 'deleted':
        this.onDeleted(event.messageId, event.lastSeen);
        return;
    }
  };

  /** Rejects with `reason` (cancel, close) unless already settled. */
  abort(reason: unknown): void {
    this.fail(reason);
  }

  private onClassified(c: Classification, event: Extract<JobEvent, { type: 'message' }>): void {
    const { parsed, message } = event;
    this.lastState = parsed.state;
    const { hooks } = this.options;
    switch (c.outcome) {
      case 'waiting':
        this.markStarted(message.id);
        return;
      case 'progress':
        this.markStarted(message.id);
        this.lastPercent = parsed.percent ?? this.lastPercent;
        hooks.progress({
          percent: parsed.percent ?? 0,
          messageId: message.id,
          ...(parsed.previewUrl ? { previewUrl: parsed.previewUrl } : {}),
          ...(parsed.mode ? { mode: parsed.mode } : {}),
        });
        return;
      case 'noise':
      case 'warning':
        hooks.debug(`ignored ${c.outcome} message ${message.id} (${c.rule})`);
        return;
      case 'job-queued':
        hooks.queued(c.notice ?? 'Job queued');
        this.deadline = Math.max(this.deadline, this.options.clock.now() + this.options.queuedTimeoutMs);
        if (this.options.throwOnQueued) this.fail(this.errorOf(c));
        return;
      case 'success':
        if (this.seenResult) return;
        this.seenResult = seenResult(message, parsed, this.options.clock.now(), event.source);
        this.tentative = undefined;
        hooks.resultSeen?.(this.resultOf(this.seenResult));
        void this.confirmResult(this.seenResult);
        return;
      default:
        if (c.terminal) this.fail(this.errorOf(c));
    }
  }

  private onDeleted(messageId: Snowflake, lastSeen: ParsedMessage | undefined): void {
    const c = classify(lastSeen ? { type: 'deleted', messageId, lastSeen } : { type: 'deleted', messageId });
    if (this.seenResult && this.seenResult.message.id === messageId) {
      // The finished result vanished inside the window: moderation hid it.
      this.fail(this.errorOf({ ...c, outcome: 'ephemeral-moderation' }));
      return;
    }
    if (c.tentative && !this.seenResult) {
      this.tentative = { ...c, ...(this.lastPercent === undefined ? {} : { percent: this.lastPercent }) };
      void this.confirmFailure(this.tentative, this.options.clock.now());
      return;
    }
    this.options.hooks.debug(`message ${messageId} deleted (${c.rule})`);
  }

  private async confirmResult(seen: SeenResult): Promise<void> {
    const { clock, confirmWindowMs, watcher, channelId } = this.options;
    const until = seen.postedAt + confirmWindowMs;
    try {
      const wait = until - clock.now();
      if (wait > 0) await clock.sleep(wait, this.life.signal);
      await watcher.settle(channelId, until, this.life.signal);
    } catch {
      return;
    }
    if (!this.done && this.seenResult === seen) this.complete(seen);
  }

  private async confirmFailure(c: Classification, since: number): Promise<void> {
    const { clock, confirmWindowMs, watcher, channelId } = this.options;
    try {
      await clock.sleep(confirmWindowMs, this.life.signal);
      await watcher.settle(channelId, since + confirmWindowMs, this.life.signal);
    } catch {
      return;
    }
    if (!this.done && !this.seenResult && this.tentative === c) this.fail(this.errorOf(c));
  }

  private async runDeadline(): Promise<void> {
    const { clock } = this.options;
    try {
      // The deadline may move (Job queued), so wake at the current one and look again.
      while (!this.done && clock.now() < this.deadline) {
        await clock.sleep(this.deadline - clock.now(), this.life.signal);
      }
    } catch {
      return;
    }
    if (this.done) return;
    // The result may be in the channel but not observed yet (polls failing, a dispatch lost with
    // a gateway session): a fresh look before calling it a timeout. A look that failed saw nothing,
    // so it is tried again (each look is bounded, and the poller backs off) for the read grace.
    if (!this.seenResult && this.options.look) {
      const until = clock.now() + (this.options.deadlineReadGraceMs ?? 0);
      for (;;) {
        const before = clock.now();
        const looked = await this.options.look(this.life.signal).catch(() => false);
        if (this.done) return;
        if (looked || this.seenResult || clock.now() >= until) break;
        this.options.hooks.debug('deadline: the channel could not be read; trying again before giving up');
        // A look that gave up at once must not spin.
        if (clock.now() === before) {
          const pause = clock.sleep(Math.min(1_000, until - before), this.life.signal).then(
            () => true,
            () => false,
          );
          if (!(await pause)) return;
        }
      }
    }
    // A result seen but not yet confirmed at the deadline is still the job's result.
    if (this.seenResult) return this.complete(this.seenResult);
    const { resume } = this.options;
    if (resume && !this.messageSeen) {
      // Nothing seen, and absence never proven: unresolved, which is not "safe to resend".
      this.fail(resume.unresolved(clock.now() - (this.submittedAt ?? clock.now())));
      return;
    }
    this.fail(
      new JobTimeoutError({
        prompt: this.options.ref.prompt,
        timeoutMs: this.deadline - (this.submittedAt ?? this.deadline),
        lastState: this.lastState,
        messageId: this.startedMessageId,
      }),
    );
  }

  private async runNotSeen(ms: number): Promise<void> {
    const { clock, look } = this.options;
    try {
      // Silence counts only when the channel was actually observed: a poll that failed saw nothing.
      for (;;) {
        await clock.sleep(ms, this.life.signal);
        if (this.done || this.messageSeen) return;
        if (this.sendError === undefined && this.options.watcher.seesEphemeral()) return;
        if (!look || (await look(this.life.signal))) break;
        this.options.hooks.debug(`no observation of the channel could be made: silence not inferred yet`);
      }
    } catch {
      return;
    }
    if (this.done || this.messageSeen) return;
    if (this.sendError !== undefined) {
      // Over the gateway the interaction's own events count: it reached Discord.
      if (!this.anySeen) this.fail(this.sendError);
      return;
    }
    if (this.options.watcher.seesEphemeral()) return;
    const { notSeenError } = this.options;
    this.fail(notSeenError ? notSeenError(ms) : new InferredPreModerationError(this.options.ref.prompt, ms));
  }

  private async runResumeGrace(resume: ResumeWatch, from: number): Promise<void> {
    const { clock } = this.options;
    const since = from + resume.graceMs;
    try {
      await clock.sleep(since - clock.now(), this.life.signal);
      await resume.covered(since, this.life.signal);
    } catch {
      return;
    }
    if (this.done || this.messageSeen) return;
    this.fail(resume.notFound(clock.now() - from));
  }

  private markSeen(message: boolean): void {
    this.anySeen = true;
    if (message) this.messageSeen = true;
    const waiters = this.seenWaiters;
    this.seenWaiters = [];
    for (const wake of waiters) wake();
  }

  private markStarted(messageId: Snowflake): void {
    if (this.startedMessageId !== undefined) return;
    this.startedMessageId = messageId;
    this.startedAt = this.options.clock.now();
    this.options.hooks.started(messageId);
  }

  private errorOf(c: Classification): Error {
    return toError(c, { prompt: this.options.ref.prompt, messageId: c.messageId ?? this.startedMessageId });
  }

  private complete(seen: SeenResult): void {
    if (this.done) return;
    this.done = true;
    this.life.abort();
    this.resolveResult(this.resultOf(seen));
  }

  private resultOf(seen: SeenResult): GenerationResult {
    return toGenerationResult({
      kind: this.options.ref.kind,
      prompt: this.options.ref.prompt,
      channelId: this.options.channelId,
      message: seen.message,
      parsed: seen.parsed,
      submittedAt: this.submittedAt ?? seen.seenAt,
      startedAt: this.startedAt,
      completedAt: seen.seenAt,
      ...(this.options.botType !== undefined ? { botType: this.options.botType } : {}),
    });
  }

  private fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.life.abort();
    this.rejectResult(error);
  }
}

/**
 * A result as first seen. A poll sees it up to an interval late; its snowflake tells when it was
 * created (never later than when we saw it). Over the gateway seen is posted.
 */
function seenResult(
  message: APIMessage,
  parsed: ParsedMessage,
  seenAt: number,
  source: WatchSource,
): SeenResult {
  const created = snowflakeTimestamp(message.id);
  const postedAt = source === 'poll' && Number.isFinite(created) ? Math.min(seenAt, created) : seenAt;
  return { message, parsed, seenAt, postedAt };
}
