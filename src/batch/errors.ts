/**
 * Errors of the batch runner: a bad input file (every bad line listed with file:line), and a
 * journal or result file that cannot be trusted to resume from.
 */
import { WorkerError } from '../errors.js';
import { describeHolder, type LockHolder } from '../ownership/lock-holder.js';

/** One rejected input line. */
export interface InputProblem {
  file: string;
  /** 1-based line where the record starts. */
  line: number;
  reason: string;
}

export function formatProblem(problem: InputProblem): string {
  return `${problem.file}:${problem.line}: ${problem.reason}`;
}

/**
 * The input cannot be run: unreadable, of an unknown type, empty, or (with `--strict`) holding any
 * bad line. `problems` lists every bad line found.
 */
export class BatchInputError extends WorkerError {
  override readonly name = 'BatchInputError';
  readonly code = 'BATCH_INPUT_INVALID';
  constructor(
    message: string,
    readonly file: string,
    readonly problems: readonly InputProblem[] = [],
    options: { cause?: unknown } = {},
  ) {
    const list = problems.slice(0, 20).map((p) => `\n  ${formatProblem(p)}`);
    const more = problems.length > 20 ? `\n  ... and ${problems.length - 20} more` : '';
    super(`${message}${list.join('')}${more}`, options);
  }
}

/**
 * The journal beside the output cannot be used: corrupt before its last line, written for another
 * input, missing when `--resume` asks for it, or an output file exists without one.
 */
export class BatchJournalError extends WorkerError {
  override readonly name = 'BatchJournalError';
  readonly code = 'BATCH_JOURNAL_INVALID';
  constructor(
    message: string,
    readonly path: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${path}: ${message}`, options);
  }
}

/**
 * Another run holds the journal (`<out>.journal.lock`): two runs on one journal would submit every
 * prompt twice. Retryable: it frees up when that run ends; a dead run's lock is taken over.
 */
export class JournalLockedError extends WorkerError {
  override readonly name = 'JournalLockedError';
  readonly code = 'BATCH_JOURNAL_LOCKED';
  constructor(
    /** The journal, not the lock file. */
    readonly path: string,
    /** The run holding it; undefined when the lock file is unreadable. */
    readonly holder: LockHolder | undefined,
    now: number,
    options: { cause?: unknown } = {},
  ) {
    super(
      `${path}: in use by another mjw batch run, ${describeHolder(holder, now)}; wait for it to end, or choose another --out`,
      { ...options, retryable: true },
    );
  }
}

/** A downloaded image could not be fetched after the retries. */
export class DownloadError extends WorkerError {
  override readonly name = 'DownloadError';
  readonly code = 'DOWNLOAD_FAILED';
  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options);
  }
}
