/**
 * Every `MJ_*` / `MJW_*` variable midjourney-worker reads, so a typo (`MJ_POLL_MIN=500`) is
 * reported instead of silently ignored. test/config/known-variables.test.ts keeps the list in step
 * with the sources and .env.example: a new variable goes here too.
 */
import { closest } from '../util/suggest.js';

export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  // Discord account and endpoints (config/index.ts)
  'MJ_ACCOUNTS_FILE',
  'MJ_APPLICATION_ID',
  'MJ_NIJI_APPLICATION_ID',
  'MJ_MIN_REQUEST_SPACING_MS',
  'MJ_REQUEST_TIMEOUT_MS',
  'MJ_USER_AGENT',
  'MJ_REST_HEADERS',
  'MJ_POLL_MIN_MS',
  'MJ_POLL_MAX_MS',
  'MJ_JOB_TIMEOUT_MS',
  'MJ_CONFIRM_WINDOW_MS',
  'MJ_CONFIRM_READ_GAP_MS',
  'MJ_INPAINT_URL',
  'MJ_NOT_SEEN_TIMEOUT_MS',
  'MJ_AMBIGUOUS_GRACE_MS',
  'MJ_DEADLINE_READ_GRACE_MS',
  'MJ_RESUME_GRACE_MS',
  'MJ_CONCURRENT_JOBS',
  'MJ_WATCH',
  'MJ_INVALID_REQUEST_THRESHOLD',
  'MJ_SUBMIT_GAP_MIN_MS',
  'MJ_SUBMIT_GAP_MAX_MS',
  'MJ_DAILY_JOB_CAP',
  'MJ_PRECHECK',
  'MJ_BANNED_WORDS_FILE',
  // Ownership
  'MJW_LOCK_DIR',
  // Batch (config/batch.ts)
  'MJW_BATCH_RETRY_MAX_ATTEMPTS',
  'MJW_BATCH_RETRY_BASE_MS',
  'MJW_BATCH_RETRY_MAX_MS',
  'MJW_BATCH_DOWNLOAD_CONCURRENCY',
  'MJW_BATCH_DOWNLOAD_RETRIES',
  // Service (config/service.ts)
  'MJW_HOST',
  'MJW_PORT',
  'MJW_DB_PATH',
  'MJW_API_KEYS',
  'MJW_BODY_LIMIT_BYTES',
  'MJW_RATE_LIMIT_REQUESTS',
  'MJW_RATE_LIMIT_WINDOW_MS',
  'MJW_RATE_LIMIT_BURST',
  'MJW_SUBMIT_RATE_LIMIT_REQUESTS',
  'MJW_SUBMIT_RATE_LIMIT_WINDOW_MS',
  'MJW_SUBMIT_RATE_LIMIT_BURST',
  'MJW_RATE_LIMIT_IDLE_MS',
  'MJW_MAX_ACTIVE_JOBS',
  'MJW_WEBHOOK_SECRET',
  'MJW_WEBHOOK_ALLOW_PRIVATE',
  'MJW_WEBHOOK_MAX_ATTEMPTS',
  'MJW_WEBHOOK_MIN_DELAY_MS',
  'MJW_WEBHOOK_MAX_DELAY_MS',
  'MJW_WEBHOOK_TIMEOUT_MS',
  'MJW_WEBHOOK_PROGRESS',
  'MJW_NOTIFY_HOOK',
  'MJW_CIRCUIT_FAILURE_THRESHOLD',
  'MJW_CIRCUIT_OPEN_MS',
  'MJW_HEALTH_CACHE_MS',
  'MJW_METRICS_PUBLIC',
  'MJW_JOB_CLAIM_TTL_MS',
  'MJW_IDEMPOTENCY_TTL_MS',
  // Cluster
  'MJW_REDIS_URL',
  'MJW_REDIS_PREFIX',
  'MJW_ACCOUNT_LEASE_TTL_MS',
]);

/** One warning per `MJ_*` / `MJW_*` name that midjourney-worker does not read, with a suggestion. */
export function unknownVariableWarnings(
  env: Readonly<Record<string, string | undefined>>,
  /** Where each name came from when known (`.env:4`). */
  origins: Readonly<Record<string, string>> = {},
): string[] {
  return Object.keys(env)
    .filter((name) => /^MJW?_/.test(name) && !KNOWN_VARIABLES.has(name))
    .sort()
    .map((name) => {
      const guess = closest(name, KNOWN_VARIABLES);
      const from = origins[name] === undefined ? '' : ` (${origins[name]})`;
      return `unknown variable ${name}${from} is ignored${guess === undefined ? '' : `; did you mean ${guess}?`}`;
    });
}
