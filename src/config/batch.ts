/**
 * Configuration of `mjw batch` beyond its flags: the retry backoff, the downloads, and two
 * orchestrator timings the batch passes to the Midjourney client (resume grace, confirm window).
 * Every variable validated at once, typed and frozen. Discord settings stay in `loadConfig`.
 */
import { ConfigError } from './errors.js';
import { EnvReader } from './reader.js';

export interface BatchConfig {
  /** Submissions per step for outcomes named in `--retry`, the first included. */
  readonly retryMaxAttempts: number;
  /** Backoff before the second submission (ms), doubled each time, jittered. */
  readonly retryBaseDelayMs: number;
  /** Cap on one backoff (ms). */
  readonly retryMaxDelayMs: number;
  /** Images downloaded at once (`--download`). */
  readonly downloadConcurrency: number;
  /** Retries of one image download after the first attempt. */
  readonly downloadRetries: number;
  /**
   * How long a prompt found `submitting` in the journal is looked for in the channel before it is
   * sent again (ms); undefined keeps the orchestrator's default (60 s).
   */
  readonly resumeGraceMs: number | undefined;
  /** How long a result must stay visible before it counts as success (ms); undefined: the orchestrator's 3 s. */
  readonly confirmWindowMs: number | undefined;
}

export function loadBatchConfig(env: Readonly<Record<string, string | undefined>>): BatchConfig {
  const r = new EnvReader(env);
  const optional = (name: string, min: number, max: number): number | undefined =>
    r.raw(name) === undefined ? undefined : r.integer(name, 0, { min, max });
  const retryBaseDelayMs = r.integer('MJW_BATCH_RETRY_BASE_MS', 5_000, { min: 0, max: 3_600_000 });
  const retryMaxDelayMs = r.integer('MJW_BATCH_RETRY_MAX_MS', 300_000, { min: 0, max: 86_400_000 });
  if (retryBaseDelayMs > retryMaxDelayMs) {
    r.problem(
      `MJW_BATCH_RETRY_BASE_MS: ${retryBaseDelayMs} is greater than MJW_BATCH_RETRY_MAX_MS ${retryMaxDelayMs}`,
    );
  }
  const config: BatchConfig = {
    retryMaxAttempts: r.integer('MJW_BATCH_RETRY_MAX_ATTEMPTS', 4, { min: 1, max: 100 }),
    retryBaseDelayMs,
    retryMaxDelayMs,
    downloadConcurrency: r.integer('MJW_BATCH_DOWNLOAD_CONCURRENCY', 4, { min: 1, max: 64 }),
    downloadRetries: r.integer('MJW_BATCH_DOWNLOAD_RETRIES', 3, { min: 0, max: 20 }),
    resumeGraceMs: optional('MJ_RESUME_GRACE_MS', 100, 3_600_000),
    confirmWindowMs: optional('MJ_CONFIRM_WINDOW_MS', 0, 600_000),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}
