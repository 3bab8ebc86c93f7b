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
  /** The bot that ran the job; absent from services older than niji support. */
  botType?: 'midjourney' | 'niji';
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

/** One POST of a webhook delivery (`GET /v1/jobs/:id/deliveries`). */
export interface DeliveryAttemptView {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  nextAttemptAt: string | null;
}

/** A webhook delivery: the receiver's host only, never the URL, the body or the signature. */
export interface DeliveryView {
  id: string;
  event: string;
  host: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
  log: DeliveryAttemptView[];
}

export interface DeliveriesAnswer {
  webhook: boolean;
  deliveries: DeliveryView[];
  omitted: number;
}

/** One stored event of a job (`GET /v1/jobs/:id/history`). */
export interface HistoryEventView {
  at: string;
  type: 'status' | 'progress' | 'notice' | 'completed' | 'failed' | 'cancelled';
  status: JobStatus;
  progress: number;
  notice: string | null;
  error: { name: string; code: string; message: string } | null;
}

/** The last `/info` read of an account (`GET /v1/accounts/info`). */
export interface AccountInfoSummary {
  plan: string | null;
  jobMode: string | null;
  visibility: string | null;
  fastTimeRemaining: { hours: number; totalHours: number; percent: number } | null;
  queuedFast: number | null;
  queuedRelax: number | null;
  running: number | null;
  readAt: string;
}

export interface AccountsInfoAnswer {
  supported: boolean;
  accounts: { id: string; info: AccountInfoSummary | null }[];
}
