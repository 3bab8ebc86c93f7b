/**
 * The public JSON shape of a job in the /v1 API: timestamps as ISO strings, the result reduced
 * to what a client uses (URLs, the buttons it may press), failures with the library's error
 * name and code.
 */
import type { JobOutcomeError, JobRecord, JobStatus } from '../jobs/job.js';

export interface JobResultView {
  /** Midjourney's job id (from the image file name). */
  jobId: string;
  messageId: string;
  imageUrl: string;
  imageUrls: string[];
  echoedPrompt: string;
  /** Buttons that `POST /v1/jobs/:id/actions` accepts. */
  actions: string[];
  mode: string | null;
  durationMs: number;
}

export interface JobView {
  id: string;
  kind: string;
  action: string | null;
  parentId: string | null;
  status: JobStatus;
  prompt: string;
  /** The bot the job runs on. */
  botType: 'midjourney' | 'niji';
  progress: number;
  previewUrl: string | null;
  notice: string | null;
  result: JobResultView | null;
  error: JobOutcomeError | null;
  webhookUrl: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** The account that ran (or is running) the job, when the service runs on an account pool. */
  accountId: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toJobView(job: JobRecord): JobView {
  const r = job.result;
  return {
    id: job.id,
    kind: job.kind,
    action: job.action,
    parentId: job.parentId,
    status: job.status,
    prompt: job.prompt,
    botType: job.botType ?? 'midjourney',
    progress: job.progress,
    previewUrl: job.previewUrl,
    notice: job.notice,
    result: r && {
      jobId: r.jobId,
      messageId: r.messageId,
      imageUrl: r.imageUrl,
      imageUrls: r.imageUrls,
      echoedPrompt: r.echoedPrompt,
      actions: Object.keys(r.actions),
      mode: r.mode ?? null,
      durationMs: r.timings.durationMs,
    },
    error: job.error,
    webhookUrl: job.webhookUrl,
    metadata: job.metadata,
    createdAt: iso(job.createdAt)!,
    updatedAt: iso(job.updatedAt)!,
    submittedAt: iso(job.submittedAt),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    accountId: job.result?.accountId ?? job.ticket?.accountId ?? null,
  };
}
