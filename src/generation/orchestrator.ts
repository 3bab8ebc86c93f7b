/**
 * The job pipeline shared by `imagine`, the buttons and `resume`. It only sequences; the
 * decisions live in pure modules (correlation, classifier) and the waiting in the tracker:
 *
 *   check (halted? capped? precheck) -> local slot -> submission turn (gap, cap) -> session
 *   -> snapshot the channel's last message id -> register with the watcher -> onSubmit(ticket)
 *   -> POST (refresh once if outdated; look before resending once if ambiguous) -> track to the end
 *
 * Cancelling before the POST sends nothing; after it, watching stops and the call rejects with
 * the signal's reason.
 */
import type { EventEmitter } from 'eventemitter3';
import type { GatewayClient } from '../discord/gateway/index.js';
import type { DiscordApi } from '../discord/rest/api.js';
import { DiscordProtocolError } from '../discord/rest/errors.js';
import type { InteractionPayload, Snowflake } from '../discord/types.js';
import { isWorkerError, ValidationError } from '../errors.js';
import type { BotType } from '../midjourney/constants.js';
import { JobNotFoundError } from '../midjourney/errors.js';
import { DEFAULT_INPAINT_URL } from '../midjourney/modals.js';
import { precheckPrompt } from '../midjourney/precheck.js';
import { anySignal } from '../util/abort.js';
import type { Clock } from '../util/clock.js';
import { generateSnowflake } from '../util/snowflake.js';
import type { AccountGuard } from './account-guard.js';
import { isMessageList } from './channel-poller.js';
import type { ChannelWatcher, WatchRegistration } from './channel-watcher.js';
import type { CorrelationJob } from './correlation.js';
import {
  GeneratorClosedError,
  InferredPreModerationError,
  ResumeUnresolvedError,
  SubmissionUncertainError,
} from './errors.js';
import { JobTracker, type ResumeWatch } from './job-tracker.js';
import { answerModal, formOfTicket, type ModalRequest, ModalWatch } from './modal-flow.js';
import type { GenerationSettings } from './options.js';
import { restartAction } from './restart-rule.js';
import { Slots } from './slots.js';
import { submitInteraction } from './submit.js';
import type {
  GenerationEvents,
  GenerationResult,
  JobKind,
  JobOptions,
  JobRef,
  SubmissionTicket,
} from './types.js';

/** Who we are on Discord right now: what payloads and correlation need. */
export interface SessionInfo {
  userId: Snowflake;
  sessionId: string;
}

export interface PipelineDeps {
  api: DiscordApi;
  watcher: ChannelWatcher;
  slots: Slots;
  guard: AccountGuard;
  clock: Clock;
  settings: GenerationSettings;
  events: EventEmitter<GenerationEvents>;
  session: (signal: AbortSignal | undefined) => Promise<SessionInfo>;
  /** Re-discovers `/imagine` after Discord refused an outdated version (the job's bot's: JobSpec.bot). */
  refreshCommand: (signal: AbortSignal | undefined, bot: BotType) => Promise<void>;
  /** Aborts every job when the client closes. */
  closing: AbortSignal;
  /** The gateway, when watching over it: modals reach only gateway sessions (modal-flow.ts). */
  gateway?: GatewayClient | undefined;
  /** Vary (Region)'s editor endpoint. Default Midjourney's (DEFAULT_INPAINT_URL). */
  inpaintUrl?: string | undefined;
  debug: (message: string) => void;
}

/** What differs between an imagine, a button press and a resume. */
export interface JobSpec {
  kind: JobKind;
  /**
   * The bot the job goes to: its application answers the interaction, and only messages its bot
   * user (the same id) authored count for the job.
   */
  bot: { type: BotType; applicationId: Snowflake };
  /** The caller's prompt (for actions: the source's). */
  prompt: string;
  /** What Midjourney's echo must match. */
  matchPrompt: string;
  channelId: Snowflake;
  /** Builds the interaction for the current session; absent for resume. */
  build?: (
    session: SessionInfo,
    nonce: Snowflake,
    signal: AbortSignal | undefined,
  ) => Promise<InteractionPayload>;
  /** The ticket of a job submitted earlier (resume): nothing is sent. */
  resumeFrom?: SubmissionTicket;
  /** For resume: Discord confirmed the earlier send (restart-rule.ts). Default true. */
  sendConfirmed?: boolean;
  /** For resume: the caller proves the POST was never attempted (restart-rule.ts). Default false. */
  neverSent?: boolean;
  sourceMessageId?: Snowflake;
  customId?: string;
  imageIndex?: number;
  /**
   * A button that may answer with a modal (gateway only): how to fill it (modal-flow.ts). The job
   * is then known by the modal submit's nonce and matched on the prompt the form set.
   */
  modal?: ModalRequest;
}

/** Reads of the channel's newest message before sending, when they fail (nothing sent yet). */
const SNAPSHOT_ATTEMPTS = 4;

export class Pipeline {
  private counter = 0;
  private order = 0;
  /** Serialises submissions (snapshot to POST). */
  private readonly turn = new Slots(1);
  private readonly inFlight = new Set<Promise<unknown>>();
  /** What each registration correlates by (the modal step re-keys it to the modal submit). */
  private readonly correlations = new WeakMap<WatchRegistration, CorrelationJob>();

  constructor(private readonly deps: PipelineDeps) {}

  get jobsInFlight(): number {
    return this.inFlight.size;
  }

  /** Runs one job to its end. */
  run(spec: JobSpec, options: JobOptions = {}): Promise<GenerationResult> {
    const job = this.execute(spec, options);
    this.inFlight.add(job);
    const forget = (): void => void this.inFlight.delete(job);
    job.then(forget, forget);
    return job;
  }

  /** Resolves once every job in flight has settled. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async execute(spec: JobSpec, options: JobOptions): Promise<GenerationResult> {
    const { deps } = this;
    const { settings, clock, events } = deps;
    if (deps.closing.aborted) throw new GeneratorClosedError();
    const timeoutMs = options.timeoutMs ?? settings.jobTimeoutMs;
    const confirmWindowMs = options.confirmWindowMs ?? settings.confirmWindowMs;
    const problems: string[] = [];
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      problems.push(`timeoutMs: expected a positive integer of ms, got ${String(timeoutMs)}`);
    }
    if (!Number.isInteger(confirmWindowMs) || confirmWindowMs < 0 || confirmWindowMs > 600_000) {
      problems.push(
        `confirmWindowMs: expected an integer of ms from 0 to 600000, got ${String(confirmWindowMs)}`,
      );
    }
    if (problems.length > 0) throw new ValidationError('Invalid job options', problems);
    const signal = anySignal(options.signal, deps.closing);
    signal?.throwIfAborted();
    const resume = spec.resumeFrom;
    if (!resume) {
      if (spec.kind === 'imagine' && settings.precheck) precheckPrompt(spec.prompt, settings.precheck);
      deps.guard.check(spec.prompt);
    }
    this.counter += 1;
    const ref: JobRef = { id: `job-${this.counter}`, kind: spec.kind, prompt: spec.prompt };
    const debug = (message: string): void => deps.debug(`${ref.id}: ${message}`);
    let release: (() => void) | undefined;
    let registration: WatchRegistration | undefined;
    let tracker: JobTracker | undefined;
    const onAbort = (): void => tracker?.abort(signal?.reason);
    try {
      const held = await deps.slots.acquire(signal);
      // Released once: when Midjourney posts the result (its slot is free while we confirm), or at the end.
      let freed = false;
      release = () => {
        if (freed) return;
        freed = true;
        held();
      };
      const free = release;
      const onResultSeen = (result: GenerationResult): void => {
        free();
        events.emit('resultSeen', ref, result);
      };
      // Known before watching: correlation needs our user id. A resumed job may already have run:
      // a failed lookup is no outcome for it, so it asks again until its deadline (a live job has
      // sent nothing yet, and fails with the lookup's error).
      if (resume) await this.sessionForResume(timeoutMs, signal, debug);
      else await deps.session(signal);
      const look = (s: AbortSignal): Promise<boolean> =>
        this.lookNow(spec.channelId, registration, settings.pollMaxMs * 2, s);
      const active = this.track(
        ref,
        spec,
        options,
        { timeoutMs, confirmWindowMs },
        resume !== undefined,
        look,
        debug,
        onResultSeen,
      );
      tracker = active;
      signal?.addEventListener('abort', onAbort, { once: true });
      if (resume) {
        registration = this.register(ref, spec, resume, active, true);
        active.start(clock.now());
      } else {
        // One submission at a time, from snapshot to POST: Midjourney then sees jobs in the order
        // of their tickets, which is what same-prompt correlation relies on.
        const unlock = await this.turn.acquire(signal);
        let ticket: SubmissionTicket;
        try {
          await deps.guard.admit(spec.prompt, signal);
          ticket = await this.ticketFor(spec, signal);
          const reg = this.register(ref, spec, ticket, active, false);
          registration = reg;
          await options.onSubmit?.(ticket);
          // The last point where cancelling costs nothing: after this the job may be paid for.
          signal?.throwIfAborted();
          await this.send(spec, ticket, active, reg, signal, debug);
        } finally {
          unlock();
        }
        active.start(ticket.submittedAt);
        events.emit('submitted', ref, ticket);
      }
      const result = await active.result;
      events.emit('completed', ref, result);
      return result;
    } catch (error) {
      tracker?.abort(error);
      deps.guard.observe(error);
      events.emit('failed', ref, error as Error);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      registration?.dispose();
      release?.();
    }
  }

  private async sessionForResume(
    timeoutMs: number,
    signal: AbortSignal | undefined,
    debug: (message: string) => void,
  ): Promise<void> {
    const { clock } = this.deps;
    const until = clock.now() + timeoutMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.deps.session(signal);
        return;
      } catch (error) {
        signal?.throwIfAborted();
        const retryable = (error as { retryable?: unknown }).retryable === true;
        if (!retryable || clock.now() >= until) throw error;
        debug(`resume: the session lookup failed (${(error as Error).message}); asking again`);
        await clock.sleep(Math.min(1_000 * attempt, 5_000, Math.max(0, until - clock.now())), signal);
      }
    }
  }

  private async ticketFor(spec: JobSpec, signal: AbortSignal | undefined): Promise<SubmissionTicket> {
    const afterMessageId = await this.snapshot(spec.channelId, signal);
    return {
      kind: spec.kind,
      prompt: spec.prompt,
      channelId: spec.channelId,
      // Absent for Midjourney, as tickets have always been.
      ...(spec.bot.type === 'midjourney' ? {} : { botType: spec.bot.type }),
      nonce: generateSnowflake(),
      afterMessageId,
      submittedAt: this.deps.clock.now(),
      ...(spec.sourceMessageId ? { sourceMessageId: spec.sourceMessageId } : {}),
      ...(spec.customId ? { customId: spec.customId } : {}),
      ...(spec.modal ? formOfTicket(spec.customId, spec.matchPrompt, spec.modal) : {}),
    };
  }

  private register(
    ref: JobRef,
    spec: JobSpec,
    ticket: SubmissionTicket,
    tracker: JobTracker,
    resumed: boolean,
  ): WatchRegistration {
    const correlation = this.correlationOf(ref, spec, ticket);
    const registration = this.deps.watcher.register({
      channelId: spec.channelId,
      correlation,
      sink: tracker.handle,
      catchUp: resumed,
    });
    this.correlations.set(registration, correlation);
    return registration;
  }

  private async send(
    spec: JobSpec,
    ticket: SubmissionTicket,
    tracker: JobTracker,
    registration: WatchRegistration,
    signal: AbortSignal | undefined,
    debug: (message: string) => void,
  ): Promise<void> {
    const { deps } = this;
    const build = spec.build;
    if (!build) throw new TypeError('JobSpec.build is required to submit');
    // Listening before the POST: the gateway may answer before the 204 is read.
    const modalWatch =
      spec.modal !== undefined && deps.gateway !== undefined
        ? new ModalWatch(deps.gateway, ticket.nonce)
        : undefined;
    let report: Awaited<ReturnType<typeof submitInteraction>>;
    try {
      report = await submitInteraction({
        api: deps.api,
        build: async () => build(await deps.session(signal), ticket.nonce, signal),
        ...(spec.kind === 'imagine' && spec.modal === undefined
          ? { refreshCommand: (s: AbortSignal | undefined) => deps.refreshCommand(s, spec.bot.type) }
          : {}),
        wake: () => registration.wake(),
        signal,
        debug,
      });
      if (modalWatch && spec.modal && !report.unconfirmed) {
        await this.modalStep(spec, spec.modal, ticket, modalWatch, registration, signal, debug);
      }
    } finally {
      modalWatch?.dispose();
    }
    if (report.unconfirmed) {
      tracker.unconfirmed(
        new SubmissionUncertainError({
          prompt: spec.prompt,
          nonce: ticket.nonce,
          waitedMs: deps.settings.notSeenTimeoutMs + deps.settings.ambiguousGraceMs,
          cause: report.unconfirmed,
        }),
        deps.settings.ambiguousGraceMs,
      );
    }
    if (report.attempts > 1) debug(`sent after ${report.attempts} attempt(s) (command refreshed)`);
  }

  /**
   * The button answered with a modal: fill and submit it (modal-flow.ts), and re-key the job to
   * what its messages will carry. No modal (INTERACTION_SUCCESS): the button runs as it is. A
   * form the call cannot fill throws ModalRequiredError at once; nothing more is sent.
   */
  private async modalStep(
    spec: JobSpec,
    request: ModalRequest,
    ticket: SubmissionTicket,
    watch: ModalWatch,
    registration: WatchRegistration,
    signal: AbortSignal | undefined,
    debug: (message: string) => void,
  ): Promise<void> {
    const { deps } = this;
    const answer = await watch.next(deps.clock, deps.settings.notSeenTimeoutMs, signal);
    if (answer.kind !== 'modal' && answer.kind !== 'iframe') {
      if (answer.kind === 'acknowledged' && request.prompt !== undefined) {
        debug('the button opened no form (remix off?): it runs with the source prompt');
      }
      return;
    }
    const correlation = this.correlations.get(registration);
    const session = await deps.session(signal);
    await answerModal(
      {
        api: deps.api,
        applicationId: spec.bot.applicationId,
        guildId: deps.settings.guildId,
        channelId: spec.channelId,
        sessionId: session.sessionId,
        inpaintUrl: deps.inpaintUrl ?? DEFAULT_INPAINT_URL,
        submitNonce: ticket.formNonce,
        signal,
        rekey: (key) => {
          if (correlation === undefined) return;
          if (key.nonce !== undefined) {
            correlation.nonce = key.nonce;
            correlation.interactionId = undefined;
          }
          if (key.prompt !== undefined) correlation.prompt = key.prompt;
        },
        debug,
      },
      answer,
      request,
    );
  }

  private track(
    ref: JobRef,
    spec: JobSpec,
    options: JobOptions,
    windows: { timeoutMs: number; confirmWindowMs: number },
    resumed: boolean,
    look: (signal: AbortSignal) => Promise<boolean>,
    debug: (message: string) => void,
    onResultSeen: (result: GenerationResult) => void,
  ): JobTracker {
    const { deps } = this;
    const { settings, events } = deps;
    return new JobTracker({
      ref,
      channelId: spec.channelId,
      botType: spec.bot.type,
      clock: deps.clock,
      watcher: resumed
        ? { settle: deps.watcher.settle.bind(deps.watcher), seesEphemeral: () => false }
        : deps.watcher,
      timeoutMs: windows.timeoutMs,
      deadlineReadGraceMs: settings.deadlineReadGraceMs,
      queuedTimeoutMs: settings.queuedTimeoutMs,
      confirmWindowMs: windows.confirmWindowMs,
      notSeenTimeoutMs: resumed ? 0 : settings.notSeenTimeoutMs,
      ...(resumed && spec.resumeFrom ? { resume: this.resumeWatch(spec, spec.resumeFrom) } : {}),
      throwOnQueued: options.throwOnQueued ?? false,
      look,
      hooks: {
        started: (messageId) => events.emit('started', ref, messageId),
        progress: (info) => {
          options.onProgress?.(info);
          events.emit('progress', ref, info);
        },
        queued: (notice) => events.emit('queued', ref, notice),
        resultSeen: onResultSeen,
        debug,
      },
    });
  }

  /** How a resumed job establishes its absence, and what absence means (restart-rule.ts). */
  private resumeWatch(spec: JobSpec, ticket: SubmissionTicket): ResumeWatch {
    const { watcher, settings } = this.deps;
    const { channelId } = spec;
    const failedBefore = watcher.readFailures(channelId).count;
    const sendConfirmed = spec.sendConfirmed ?? true;
    const neverSent = spec.neverSent ?? false;
    return {
      // An unconfirmed send is an ambiguous one: Discord may act on a POST it held late, so it is
      // looked for longer, as a live ambiguous send is (send-rule.ts).
      graceMs: settings.resumeGraceMs + (sendConfirmed ? 0 : settings.ambiguousGraceMs),
      covered: (since, signal) => watcher.covered(channelId, since, signal),
      notFound: (waitedMs) => {
        const action = restartAction({ evidence: 'not-found', sendConfirmed, neverSent });
        if (action === 'resend') {
          return new JobNotFoundError({
            prompt: spec.prompt,
            nonce: ticket.nonce,
            message: `Nothing of the job appeared in channel ${channelId} after message ${ticket.afterMessageId ?? '(none)'} within ${waitedMs} ms of complete reads, and Discord never confirmed its send: it is safe to submit it again`,
          });
        }
        if (sendConfirmed) return new InferredPreModerationError(spec.prompt, waitedMs, { resumed: true });
        return new SubmissionUncertainError({
          prompt: spec.prompt,
          nonce: ticket.nonce,
          waitedMs,
          resumed: true,
        });
      },
      unresolved: (waitedMs) => {
        const failures = watcher.readFailures(channelId);
        return new ResumeUnresolvedError(
          spec.prompt,
          ticket.nonce,
          waitedMs,
          Math.max(0, failures.count - failedBefore),
          failures.last,
        );
      },
    };
  }

  private correlationOf(ref: JobRef, spec: JobSpec, ticket: SubmissionTicket): CorrelationJob {
    this.order += 1;
    return {
      id: ref.id,
      // A bot's user id is its application id (936929561302675456 for Midjourney).
      botId: spec.bot.applicationId,
      // Submission order (submissions are serialised); resumed jobs keep their ticket's time.
      seq: ticket.submittedAt * 1_000 + (this.order % 1_000),
      kind: spec.kind,
      prompt: spec.matchPrompt,
      nonce: ticket.nonce,
      afterMessageId: ticket.afterMessageId,
      sourceMessageId: spec.sourceMessageId,
      imageIndex: spec.imageIndex,
      started: false,
      replaced: false,
      hasResult: false,
      ...(spec.resumeFrom ? { resumed: true } : {}),
      // A resumed button job may have answered a form: its messages then carry the form's nonce
      // and prompt (correlation.ts, `form`). A live job is re-keyed when it submits the form.
      ...(spec.resumeFrom?.formNonce
        ? {
            form: {
              nonce: spec.resumeFrom.formNonce,
              prompt: spec.resumeFrom.formPrompt ?? spec.matchPrompt,
            },
          }
        : {}),
    };
  }

  /**
   * One fresh observation of the channel, now: true once applied, false when none could be made
   * within `boundMs` (every poll failing).
   */
  private async lookNow(
    channelId: Snowflake,
    registration: WatchRegistration | undefined,
    boundMs: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { clock, watcher } = this.deps;
    const since = clock.now();
    registration?.wake();
    const done = new AbortController();
    const both = AbortSignal.any([done.signal, signal]);
    try {
      return await Promise.race([
        watcher.settle(channelId, since, both).then(
          () => true,
          () => false,
        ),
        clock.sleep(boundMs, both).then(
          () => false,
          () => false,
        ),
      ]);
    } finally {
      done.abort();
    }
  }

  /**
   * The channel's newest message id before sending: the job's messages come after it. Over a live
   * gateway the watcher already knows it (newest-messages.ts), so only the first job reads it; while
   * the channel is polled, a poll brought forward tells it (polling-watcher.ts).
   */
  private snapshot(channelId: Snowflake, signal: AbortSignal | undefined): Promise<Snowflake | null> {
    const { watcher } = this.deps;
    const read = (): Promise<Snowflake | null> => this.readNewest(channelId, signal);
    return watcher.lastMessageId ? watcher.lastMessageId(channelId, read, signal) : read();
  }

  /**
   * The REST read of the snapshot. Nothing has been sent yet, so a transient failure is retried here
   * (a few times, a poll interval apart) rather than failing a job that never started.
   */
  private async readNewest(channelId: Snowflake, signal: AbortSignal | undefined): Promise<Snowflake | null> {
    const { api, clock, settings } = this.deps;
    for (let attempt = 1; ; attempt += 1) {
      let failure: unknown;
      try {
        const list: unknown = await api.getMessages(channelId, { limit: 1 }, signal ? { signal } : {});
        // A malformed answer must not read as "empty channel": the job would claim older messages.
        if (isMessageList(list)) return list[0]?.id ?? null;
        failure = new DiscordProtocolError(
          { method: 'GET', route: '/channels/{channel_id}/messages', attempts: attempt },
          200,
          'expected a list of messages',
          '',
        );
      } catch (error) {
        if (signal?.aborted || !isWorkerError(error) || !error.retryable) throw error;
        failure = error;
      }
      if (attempt >= SNAPSHOT_ATTEMPTS) throw failure;
      this.deps.debug(
        `reading the channel before sending failed (${(failure as Error).message}); trying again`,
      );
      await clock.sleep(settings.pollMinMs, signal);
    }
  }
}
