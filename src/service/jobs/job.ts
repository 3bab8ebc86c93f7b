/**
 * A job as the service stores it: what was asked, where it stands, and everything needed to find
 * it again after a restart (the submission ticket).
 */
import type { GenerationMode, GenerationResult, JobKind, SubmissionTicket } from '../../generation/types.js';
import type { BotType } from '../../midjourney/constants.js';

/**
 * - `queued`: accepted and stored; nothing sent to Discord yet.
 * - `submitting`: the ticket is stored and the interaction is about to be, or may have been, sent.
 * - `submitted`: Discord accepted the interaction.
 * - `running`: Midjourney's bot has shown the job (waiting, progress).
 * - `succeeded`, `failed`, `cancelled`: terminal.
 */
export const JOB_STATUSES = [
  'queued',
  'submitting',
  'submitted',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The payload shape of a job's webhook: this service's own, or midjourney-proxy's task. */
export type WebhookFormat = 'mjw' | 'midjourney-proxy';

/** A failed outcome, with the library's error name and code so clients can switch on them. */
export interface JobOutcomeError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
  /** ms, when the error says when to try again. */
  retryAfter?: number;
  /** Other facts the error carried (offending parameter, notice text, ...). */
  details?: Record<string, unknown>;
}

export interface JobRecord {
  /** 16 digits, increasing with creation time (also a valid midjourney-proxy task id). */
  id: string;
  /** The API key name that created it; jobs are visible to their owner only. */
  clientId: string;
  kind: JobKind;
  /** For a button job: the button pressed (`U1`, `V3`, `reroll`, ...). */
  action: string | null;
  /** For a button job: the job whose result the button was on. */
  parentId: string | null;
  prompt: string;
  /**
   * The bot the job runs on (`niji`: niji・journey); absent means Midjourney. Kept in the job's
   * JSON document, as every store keeps the record: no column, no migration.
   */
  botType?: BotType;
  status: JobStatus;
  /** 0–100. */
  progress: number;
  previewUrl: string | null;
  mode: GenerationMode | null;
  /** Midjourney's "Job queued" notice, while it applies. */
  notice: string | null;
  ticket: SubmissionTicket | null;
  result: GenerationResult | null;
  error: JobOutcomeError | null;
  webhookUrl: string | null;
  webhookFormat: WebhookFormat;
  metadata: Record<string, unknown> | null;
  /**
   * Vary (Region): the mask PNG as base64 (at most 1 MiB of PNG, ../commands/request-mask.ts),
   * kept until the job ends so a job not yet sent at a restart still has it; never shown in views.
   */
  mask?: string | null;
  /** How many times an interaction may have been sent for this job (1 normally). */
  submissions: number;
  createdAt: number;
  updatedAt: number;
  submittedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface NewJob {
  clientId: string;
  kind: JobKind;
  action?: string | null;
  parentId?: string | null;
  prompt: string;
  /** The bot; a button job takes its parent's. Default Midjourney. */
  botType?: BotType;
  webhookUrl?: string | null;
  webhookFormat?: WebhookFormat;
  metadata?: Record<string, unknown> | null;
  /** Vary (Region): the mask PNG as base64, already checked. */
  mask?: string | null;
}

export function createJobRecord(id: string, input: NewJob, now: number): JobRecord {
  return {
    id,
    clientId: input.clientId,
    kind: input.kind,
    action: input.action ?? null,
    parentId: input.parentId ?? null,
    prompt: input.prompt,
    ...(input.botType !== undefined ? { botType: input.botType } : {}),
    status: 'queued',
    progress: 0,
    previewUrl: null,
    mode: null,
    notice: null,
    ticket: null,
    result: null,
    error: null,
    webhookUrl: input.webhookUrl ?? null,
    webhookFormat: input.webhookFormat ?? 'mjw',
    metadata: input.metadata ?? null,
    ...(input.mask ? { mask: input.mask } : {}),
    submissions: 0,
    createdAt: now,
    updatedAt: now,
    submittedAt: null,
    startedAt: null,
    finishedAt: null,
  };
}

/**
 * A succeeded job's result naming its bot, as `seed()` takes it (the seed is read from the DM of
 * that bot): the result's own `botType`, else the job's (a result stored before results named it).
 */
export function resultOfBot(job: Pick<JobRecord, 'botType'>, result: GenerationResult): GenerationResult {
  const botType = result.botType ?? job.botType;
  return botType === undefined ? result : { ...result, botType };
}

/**
 * Makes job ids: ms since the epoch times 1000 plus a sequence, strictly increasing even when
 * the clock stalls or steps back, so ids sort by creation and serve as pagination cursors. Seeded
 * with the store's largest id at start so a restart never reuses one.
 */
export class JobIdFactory {
  private last = 0;
  constructor(private readonly now: () => number) {}

  seed(maxId: string | null): void {
    if (maxId !== null && /^\d+$/.test(maxId)) this.last = Math.max(this.last, Number(maxId));
  }

  next(): string {
    this.last = Math.max(this.last + 1, Math.floor(this.now()) * 1000);
    return String(this.last).padStart(16, '0');
  }
}

export const JOB_ID_PATTERN = /^\d{16}$/;
