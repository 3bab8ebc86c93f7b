/** The batch runner's options, events and report. */
import type { Generator } from '../generation/types.js';
import type { Clock, Random } from '../util/clock.js';
import type { Downloader } from './downloader.js';
import type { Journal } from './journal.js';
import type { ErrorInfo, ResultLine } from './result-line.js';
import type { RetryPolicy } from './retry-policy.js';

export interface BatchRunnerOptions {
  generator: Generator;
  journal: Journal;
  /** Receives each finished prompt's line, after its journal record is on disk. */
  writeResult: (line: ResultLine) => Promise<void>;
  /** Jobs in flight at once. Default 3 (Midjourney's Basic/Standard slots). */
  concurrency?: number;
  /** Which outcomes are retried and how; defaults in DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
  /** Fetches images once a prompt finishes (`--download`); none by default. */
  downloader?: Downloader;
  /** Stops submitting when it aborts; jobs in flight finish. */
  signal?: AbortSignal;
  /** Per-job deadline passed to the generator. Default: the generator's. */
  jobTimeoutMs?: number;
  /** Time for backoffs and pauses. Default the system clock. */
  clock?: Clock;
  /** Jitter of the backoffs. Default Math.random. */
  random?: Random;
}

export interface BatchProgress {
  total: number;
  /** Finished (done or failed) prompts, this run and earlier runs. */
  finished: number;
  succeeded: number;
  failed: number;
  /** Prompts with a job in flight or in backoff. */
  running: number;
  /** Of those, prompts held back by a pause ("Queue full", "Job queued") before submitting. */
  waiting: number;
  /** Prompts finished by this run (for the rate and ETA). */
  finishedThisRun: number;
  startedAt: number;
}

export interface BatchEvents {
  progress: [progress: BatchProgress];
  finished: [line: ResultLine];
  retry: [id: string, outcome: string, delayMs: number];
  /** Submissions paused: `queue-full` for a while, `job-queued` until the queued job runs. */
  paused: [reason: 'queue-full' | 'job-queued', delayMs: number | undefined];
  /** The batch stopped submitting (signal, account notice, daily cap, journal failure). */
  stopping: [reason: string];
  debug: [message: string];
}

export interface BatchRunReport {
  progress: BatchProgress;
  /** Per outcome, every finished prompt (earlier runs included). */
  outcomes: Record<string, number>;
  /** durationMs of the prompts finished by this run. */
  durations: number[];
  /** Prompts left unfinished because the batch stopped; a re-run continues them. */
  notRun: number;
  stopReason?: string;
  /** The error that stopped the batch (account notice, daily cap, journal), if one did. */
  fatal?: ErrorInfo;
  downloadFailures: number;
  wallMs: number;
}
