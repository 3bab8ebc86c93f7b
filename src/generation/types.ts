/**
 * The public contract of the generation layer: what `Midjourney#imagine` and the actions return,
 * the events they emit, and the ticket that lets a batch or the service find a job again after a
 * crash without paying for it twice.
 */
import type { Snowflake } from '../discord/types.js';
import type { ImageInput } from '../images/image-source.js';
import type { BotType } from '../midjourney/constants.js';

export type GenerationMode = 'fast' | 'relax' | 'turbo';

/** What a job was: the first generation, or a button on an earlier result. */
export type JobKind = 'imagine' | 'upscale' | 'variation' | 'reroll' | 'blend';

/** Buttons a caller can press on a result: `U1`–`U4`, `V1`–`V4`, `reroll`, and the others Midjourney shows. */
export type JobAction = string;

export interface GenerationTimings {
  /** When the interaction was sent (ms since epoch). */
  submittedAt: number;
  /** When the bot's first message for the job appeared, if seen. */
  startedAt?: number;
  /** When the final result was recognised. */
  completedAt: number;
  /** completedAt - submittedAt. */
  durationMs: number;
}

export interface GenerationResult {
  kind: JobKind;
  /** Midjourney's job UUID, from the grid filename. */
  jobId: string;
  /** The Discord message holding the result (its buttons act on it). */
  messageId: Snowflake;
  channelId: Snowflake;
  /** The prompt as the caller gave it. */
  prompt: string;
  /** The prompt as Midjourney echoed it (links rewritten, parameters appended). */
  echoedPrompt: string;
  /** The grid (or single upscaled image) URL. */
  imageUrl: string;
  /** Every image URL the result carries (the grid first). */
  imageUrls: string[];
  /** The buttons on the result, by action name (`U1`, `V2`, `reroll`, ...) -> custom_id. */
  actions: Record<JobAction, string>;
  /** The flags of the result message, sent back with a button interaction. */
  messageFlags: number;
  mode?: GenerationMode;
  /** The bot that ran the job (its buttons go back to the same bot). Default `midjourney`. */
  botType?: BotType;
  timings: GenerationTimings;
  /** The account that ran the job, when an AccountPool routed it (its `id`, never the token). */
  accountId?: string;
}

/** Everything needed to find a submitted job again: recorded before the interaction is sent. */
export interface SubmissionTicket {
  kind: JobKind;
  prompt: string;
  channelId: Snowflake;
  /** The interaction nonce sent with the job. */
  nonce: Snowflake;
  /** The channel's newest message id before sending: the job's messages come after it. */
  afterMessageId: Snowflake | null;
  /** ms since epoch, just before sending. */
  submittedAt: number;
  /** For actions: the result message the button was pressed on, and the button. */
  sourceMessageId?: Snowflake;
  customId?: string;
  /**
   * For a button that may answer with a form (gateway sessions: Remix's Vary / Reroll, Custom Zoom,
   * a describe / shorten prompt): the nonce the form's submit (interaction type 5) will carry,
   * chosen before anything is sent. Once the form is submitted the job's messages carry it, not
   * `nonce`; without a form they carry `nonce`. Absent for Vary (Region), whose editor keeps the
   * button's interaction, and in tickets written before forms were resumable.
   */
  formNonce?: Snowflake;
  /**
   * The prompt the form is answered with, when the call gave one (`prompt`, or the prompt input in
   * `fields`): what the job echoes once the form is submitted. Absent: the form's prefilled value.
   */
  formPrompt?: string;
  /**
   * For a button that may answer with a form: the source result's echoed prompt, which the job
   * echoes when no form opens (Remix off) or the form is left as prefilled. `prompt` is the caller's.
   */
  sourcePrompt?: string;
  /** The bot the job was sent to; absent means Midjourney. `resume` accepts only its messages. */
  botType?: BotType;
  /** The account the job was sent with, when an AccountPool routed it. `resume` goes back to it. */
  accountId?: string;
}

export interface ProgressInfo {
  percent: number;
  previewUrl?: string;
  mode?: GenerationMode;
  messageId: Snowflake;
}

export interface JobOptions {
  /** Cancels the job: before sending nothing is sent; after, watching stops and the call rejects. */
  signal?: AbortSignal;
  /** Progress callback (percent and preview URL), in addition to the `progress` event. */
  onProgress?: (progress: ProgressInfo) => void;
  /**
   * Called with the ticket just before the interaction is sent; awaited, so a journal can make it
   * durable first.
   */
  onSubmit?: (ticket: SubmissionTicket) => void | Promise<void>;
  /** Hard deadline for the job in ms (default from config, 10 min; extended after "Job queued"). */
  timeoutMs?: number;
  /** Reject with JobQueuedError on "Job queued" instead of waiting for the job to start. */
  throwOnQueued?: boolean;
  /**
   * How long a result must stay up before the call resolves (ms, 0–600,000); default the client's
   * `confirmWindowMs` (`MJ_CONFIRM_WINDOW_MS`, 3 s). 0 resolves at first sight, which cannot tell a
   * result that ephemeral moderation takes down a moment later; `resultSeen` gives the images at
   * first sight without giving that up.
   */
  confirmWindowMs?: number;
  /** AccountPool only: run on this account (its `id`); the job waits for it. Ignored by `Midjourney`. */
  account?: string;
  /**
   * The job's speed. `Midjourney` adds Midjourney's `--fast` / `--relax` / `--turbo` parameter to
   * the prompt (unless it names one), so the account's own speed is never switched under other
   * jobs; `AccountPool` runs it on an account in this mode. Default: the account's speed.
   */
  mode?: GenerationMode;
  /**
   * Which bot runs an `imagine`: `midjourney` (default) or `niji` (niji・journey, its own
   * application and `/imagine`); only that bot's messages count for the job. A button press
   * (`act`, `upscale`, ...) always goes to the bot of its source result, whatever this says.
   */
  botType?: BotType;
}

/**
 * Options of `act()`: a job's options plus what to put in the form a button may answer with
 * (Remix mode's Vary / Reroll, Custom Zoom, Vary (Region), a describe / shorten prompt). Forms
 * reach only gateway sessions: with `watch: 'poll'` such a button is refused (ModalUnavailableError).
 */
export interface ActionOptions extends JobOptions {
  /**
   * The form's prompt: Remix's new prompt, Custom Zoom's prompt with `--zoom <1–2>`, Vary
   * (Region)'s prompt for the region. Default: the value Midjourney prefilled (the source prompt).
   */
  prompt?: string;
  /** Any form input by its custom id (wins over `prompt`). */
  fields?: Record<string, string>;
  /** Vary (Region): the mask, a PNG of the image's size, white where to redraw. Required there. */
  mask?: ImageInput;
}

/** Options of `resume()`: a job's options plus what the caller knows of the earlier send. */
export interface ResumeOptions extends JobOptions {
  /**
   * Whether Discord confirmed the earlier send: the `submitted` event (a 2xx answer to the
   * interaction POST) was seen and recorded before the restart. Decides what "not found" means
   * (restart-rule.ts): unconfirmed, the POST may have been pending at the crash and it rejects
   * with `SubmissionUncertainError` (it may have run); confirmed, the job was refused unseen and
   * it rejects with `InferredPreModerationError`. Default `true`.
   */
  sendConfirmed?: boolean;
  /**
   * The caller proves the POST was never attempted (it recorded stopping before the send): only
   * then does "not found" reject with `JobNotFoundError`, safe to submit again. Default `false`.
   */
  neverSent?: boolean;
}

/** Identifies a job in events. */
export interface JobRef {
  /** Local id of this job in the orchestrator (not Midjourney's). */
  id: string;
  kind: JobKind;
  prompt: string;
}

/** Events of the generation layer (eventemitter3, named tuples). */
export interface GenerationEvents {
  submitted: [job: JobRef, ticket: SubmissionTicket];
  queued: [job: JobRef, notice: string];
  started: [job: JobRef, messageId: Snowflake];
  progress: [job: JobRef, progress: ProgressInfo];
  /**
   * Midjourney posted the job's result, within milliseconds over the gateway: the images can be
   * shown. Not final: `completed` follows once the confirmation window passes without the result
   * being taken down (ephemeral moderation), or `failed` if it is.
   */
  resultSeen: [job: JobRef, result: GenerationResult];
  completed: [job: JobRef, result: GenerationResult];
  failed: [job: JobRef, error: Error];
  debug: [message: string];
}

/**
 * What the batch runner and the service need from the orchestrator. `Midjourney` implements it,
 * and so does `AccountPool` (several accounts, one client each); tests of the layers above may use
 * a fake.
 */
export interface Generator {
  /** Sends `/imagine` and resolves with the finished grid, or rejects with a typed error. */
  imagine(prompt: string, options?: JobOptions): Promise<GenerationResult>;
  /** Presses a button (`U1`–`U4`, `V1`–`V4`, `reroll`, ...) on an earlier result; a new job. */
  act(source: GenerationResult, action: JobAction, options?: ActionOptions): Promise<GenerationResult>;
  /**
   * Finds a job that may already have been submitted (after a crash) and follows it to its end,
   * by the restart rule (restart-rule.ts). Rejects with `JobNotFoundError` only when complete,
   * successful reads of the channel after the grace period show nothing of it and
   * `options.neverSent` proves the POST was never attempted: only then is it safe to submit again.
   * Not found with `sendConfirmed` false: `SubmissionUncertainError` (it may have run). Failed reads never
   * count as "nothing there": at the deadline they end in `ResumeUnresolvedError`.
   */
  resume(ticket: SubmissionTicket, options?: ResumeOptions): Promise<GenerationResult>;
  on<E extends keyof GenerationEvents>(event: E, listener: (...args: GenerationEvents[E]) => void): this;
  off<E extends keyof GenerationEvents>(event: E, listener: (...args: GenerationEvents[E]) => void): this;
  /** Releases sockets and timers; jobs in flight reject with an abort error. */
  close(): Promise<void>;
}
