/**
 * Configuration of `mjw batch` beyond its flags: the retry backoff and the downloads. Every
 * variable validated at once, typed and frozen. Discord and orchestrator settings (the resume
 * grace and the confirmation window among them) stay in `loadConfig`.
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
}

export function loadBatchConfig(env: Readonly<Record<string, string | undefined>>): BatchConfig {
  const r = new EnvReader(env);
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
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}
