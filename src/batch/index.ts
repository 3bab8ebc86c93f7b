/** The batch runner: input readers, journal, runner and the `mjw batch` session. */
export { DEFAULT_DOWNLOADER_OPTIONS, Downloader, type DownloaderOptions } from './downloader.js';
export {
  BatchInputError,
  BatchJournalError,
  DownloadError,
  formatProblem,
  type InputProblem,
  JournalLockedError,
} from './errors.js';
export { type BatchInput, INPUT_EXTENSIONS, parseInput, readInput } from './input/read-input.js';
export { Journal, type JournalOptions, readJournal } from './journal.js';
export { JournalLock, journalLockPathFor } from './journal-lock.js';
export {
  applyRecord,
  type JournalHeader,
  type JournalRecord,
  type PromptState,
  type PromptStatus,
  parseJournal,
} from './journal-records.js';
export { errorInfo, MODERATION_OUTCOMES, outcomeOf } from './outcome.js';
export { estimateRemainingMs, formatProgressBar, formatProgressLine, ProgressReporter } from './progress.js';
export type { BatchPrompt } from './prompt.js';
export type { ActionResult, ErrorInfo, ResultLine } from './result-line.js';
export { ResultsFile } from './results-file.js';
export {
  DEFAULT_RETRY_POLICY,
  parseRetryOutcomes,
  planRetry,
  RETRYABLE_OUTCOMES,
  type RetryDecision,
  type RetryPolicy,
} from './retry-policy.js';
export {
  type BatchEvents,
  type BatchProgress,
  BatchRunner,
  type BatchRunnerOptions,
  type BatchRunReport,
} from './runner.js';
export {
  type BatchSessionResult,
  fingerprintPrompts,
  journalPathFor,
  type ResumeInfo,
  type RunBatchOptions,
  runBatch,
} from './session.js';
export { formatSummary, percentile, type SummaryExtras } from './summary.js';
