/** The shapes the dashboard reads from the /v1 API (docs/service.md), as far as it uses them. */

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
export const TERMINAL: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface JobError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
}

export interface JobView {
  id: string;
  kind: string;
  action: string | null;
  parentId: string | null;
  status: JobStatus;
  prompt: string;
  progress: number;
  previewUrl: string | null;
  notice: string | null;
  result: {
    jobId: string;
    imageUrl: string;
    imageUrls: string[];
    actions: string[];
    mode: string | null;
    durationMs: number;
  } | null;
  error: JobError | null;
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  accountId: string | null;
}

export interface AccountView {
  id: string;
  state: string;
  mode: string;
  disabledReason: string | null;
  disabledMessage: string | null;
  disabledAt: number | null;
  slots: { busy: number; total: number };
  jobsToday: number;
  dailyJobCap: number;
  limiter: {
    requests: number;
    retries: number;
    rateLimited: number;
    queueDepth: number;
    inFlight: number;
  } | null;
}

/** One RestClient's limiter, as /health reports it (midjourney-probe.ts `limiterSummary`). */
export interface LimiterSummary {
  queueDepth: number;
  inFlight: number;
  buckets: number;
  exhaustedBuckets: number;
  globalPausedForMs: number;
  invalidRequestsInWindow: number;
  totals: { requests: number; retries: number; rateLimited: Record<string, number> };
}

export interface HealthReport {
  status: string;
  circuit: { state: string; failures?: number; retryAfterMs?: number | null; lastFailure?: string | null };
  /** One limiter, or `{accounts: {id: limiter}}` on an account pool. */
  rateLimiter: (LimiterSummary | { accounts: Record<string, LimiterSummary> }) | null;
  slots: { inUse: number; limit: number; queueDepth: number } | null;
  jobs: { active: number; waiting: number; stored: number | null };
  problems: string[];
}

/** Discord's invalid-request ban line: 10,000 401/403/429 answers in 10 minutes. */
export const INVALID_REQUEST_BAN_LINE = 10_000;
