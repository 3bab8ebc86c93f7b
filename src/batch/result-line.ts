/**
 * The result file's record: one JSON line per prompt, written as it finishes, meant to be fed to
 * the next tool. Stable field names; absent facts are omitted, never null.
 */
import type { PromptState, StepState } from './journal-records.js';
import type { BatchPrompt } from './prompt.js';

/** An error as written to the result file and the journal. */
export interface ErrorInfo {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
}

/** One button pressed on the prompt's grid. */
export interface ActionResult {
  action: string;
  outcome: string;
  ok: boolean;
  jobId?: string;
  messageId?: string;
  imageUrl?: string;
  imageUrls?: string[];
  files: string[];
  attempts: number;
  durationMs?: number;
  error?: ErrorInfo;
}

export interface ResultLine {
  id: string;
  /** 1-based input line. */
  line: number;
  prompt: string;
  /** `success`, or the outcome of the first step that failed (`queue-full`, `pre-moderation`, ...). */
  outcome: string;
  ok: boolean;
  error?: ErrorInfo;
  /** The /imagine job. */
  jobId?: string;
  messageId?: string;
  imageUrl?: string;
  imageUrls?: string[];
  /** Local files written for the /imagine grid (`--download`, four more with `--split`). */
  files: string[];
  /** Submissions of the /imagine step: retries, and a resubmission after a crash, included. */
  attempts: number;
  /** First submission to final outcome, retries and backoff included (downloads excluded). */
  durationMs?: number;
  /** Midjourney's own time for the /imagine job (submitted to result recognised). */
  generationMs?: number;
  /** The account that ran the /imagine job, when an accounts file is configured. */
  accountId?: string;
  /** `niji` when the prompt ran on niji・journey (absent: Midjourney). */
  botType?: 'niji';
  actions: ActionResult[];
  /** A download or split that failed; the images are still at their URLs. */
  downloadError?: ErrorInfo;
  meta: Record<string, unknown>;
  /** ISO time the line was written. */
  finishedAt: string;
}

/** Files written per step (index 0 the grid), from the downloader. */
export type StepFiles = readonly (readonly string[] | undefined)[];

/**
 * Builds a prompt's line from its replayed state. The prompt's outcome is `success` only when the
 * /imagine and every action succeeded; otherwise the outcome of the first step that failed.
 */
export function buildResultLine(
  prompt: BatchPrompt,
  state: PromptState,
  files: StepFiles = [],
  downloadError?: ErrorInfo,
  now: number = Date.now(),
): ResultLine {
  const imagine = state.steps[0] ?? { attempts: 0 };
  const firstFailure = state.steps.find((step) => step.failure !== undefined)?.failure;
  const unfinished = state.steps.length < prompt.actions.length + 1 && firstFailure === undefined;
  const ends = state.steps.map((step) => step.endedAt ?? 0);
  const actions = prompt.actions.map((action, index): ActionResult => {
    const step = state.steps[index + 1];
    return {
      action,
      outcome: step?.failure?.outcome ?? (step?.result ? 'success' : 'not-run'),
      ok: step?.result !== undefined,
      ...(step?.failure ? { error: step.failure.error } : {}),
      ...(step ? stepFacts(step) : {}),
      files: [...(files[index + 1] ?? [])],
      attempts: step?.attempts ?? 0,
      ...(step?.result ? { durationMs: step.result.timings.durationMs } : {}),
    };
  });
  // Built in this order so a line reads naturally: who, what happened, where the images are, when.
  return {
    id: prompt.id,
    line: prompt.line,
    prompt: prompt.prompt,
    outcome: firstFailure?.outcome ?? (unfinished ? 'error' : 'success'),
    ok: firstFailure === undefined && !unfinished,
    ...(firstFailure ? { error: firstFailure.error } : {}),
    ...stepFacts(imagine),
    files: [...(files[0] ?? [])],
    attempts: imagine.attempts,
    ...(imagine.firstSubmittedAt !== undefined
      ? { durationMs: Math.max(0, Math.max(...ends) - imagine.firstSubmittedAt) }
      : {}),
    ...(imagine.result ? { generationMs: imagine.result.timings.durationMs } : {}),
    ...(imagine.result?.accountId !== undefined ? { accountId: imagine.result.accountId } : {}),
    ...(prompt.botType === 'niji' ? { botType: 'niji' as const } : {}),
    actions,
    ...(downloadError ? { downloadError } : {}),
    meta: prompt.meta,
    finishedAt: new Date(now).toISOString(),
  };
}

function stepFacts(step: StepState): Pick<ResultLine, 'jobId' | 'messageId' | 'imageUrl' | 'imageUrls'> {
  const result = step.result;
  if (!result) return {};
  return {
    jobId: result.jobId,
    messageId: result.messageId,
    imageUrl: result.imageUrl,
    imageUrls: result.imageUrls,
  };
}
