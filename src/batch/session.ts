/**
 * One `mjw batch` run from files to report: reads and validates the input, takes the journal's lock
 * (one run per journal), opens (or resumes) the journal beside the output, writes back result
 * lines a crash kept from the output, and runs the prompts not yet finished.
 */
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Generator } from '../generation/types.js';
import type { BotType } from '../midjourney/constants.js';
import type { FileLockOptions } from '../ownership/file-lock.js';
import { anySignal } from '../util/abort.js';
import type { Clock, Random } from '../util/clock.js';
import { Downloader, type DownloaderOptions } from './downloader.js';
import { BatchJournalError } from './errors.js';
import { type BatchInput, readInput } from './input/read-input.js';
import { Journal, readJournal } from './journal.js';
import { JournalLock } from './journal-lock.js';
import { applyRecord, JOURNAL_VERSION, type JournalHeader, type PromptState } from './journal-records.js';
import type { BatchPrompt } from './prompt.js';
import { ResultsFile } from './results-file.js';
import type { RetryPolicy } from './retry-policy.js';
import { BatchRunner, type BatchRunReport } from './runner.js';

export interface RunBatchOptions {
  input: string;
  /** The result file; the journal is `<out>.journal`. */
  out: string;
  generator: Generator;
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** `--download <dir>` (and `--split`). */
  download?: DownloaderOptions;
  /** Continue a journal even if the input changed (prompts matched by id); require a journal. */
  resume?: boolean;
  /** Refuse the whole input when any line is bad. */
  strict?: boolean;
  /** The input already read and validated (by `readInput`), so it is not read again. */
  preloaded?: BatchInput;
  signal?: AbortSignal;
  jobTimeoutMs?: number;
  /** The bot of every prompt whose line names none (`--bot`). Default Midjourney. */
  botType?: BotType;
  clock?: Clock;
  random?: Random;
  /** fsync the journal (default true). */
  durable?: boolean;
  /**
   * The journal's lock, already taken by the caller (who releases it), for a caller that wants to
   * be refused before it opens anything else. Default: runBatch takes and releases it itself.
   */
  lock?: JournalLock;
  /** Options of the lock runBatch takes when `lock` is not given (tests inject pid probes). */
  lockOptions?: Partial<FileLockOptions>;
  /** Called once the input is validated (to report skipped lines) before anything is sent. */
  onInput?: (input: BatchInput, resumed: ResumeInfo) => void;
  /** Called with the runner before it starts (to subscribe to its events). */
  onRunner?: (runner: BatchRunner) => void;
}

export interface ResumeInfo {
  /** A journal was found and continued. */
  resumed: boolean;
  /** Prompts already finished by earlier runs. */
  alreadyFinished: number;
  /** Prompts whose job may have reached Discord: looked for before any resubmission. */
  inFlight: number;
  /** Result lines written back from the journal (lost from the output by a crash). */
  restoredLines: number;
}

export interface BatchSessionResult {
  input: BatchInput;
  resume: ResumeInfo;
  report: BatchRunReport;
  journalPath: string;
}

export function journalPathFor(out: string): string {
  return `${out}.journal`;
}

/** Identifies the validated input: the same file run again matches its journal. */
export function fingerprintPrompts(prompts: readonly BatchPrompt[]): string {
  const hash = createHash('sha256');
  for (const p of prompts) {
    // A niji prompt is another job than the same Midjourney one; Midjourney's keep their old hash.
    const fields =
      p.botType === 'niji' ? [p.id, p.prompt, p.actions, p.botType] : [p.id, p.prompt, p.actions];
    hash.update(JSON.stringify(fields)).update('\n');
  }
  return hash.digest('hex');
}

/**
 * Runs the batch under the journal's lock: throws JournalLockedError, before reading the journal,
 * when another run holds it.
 */
export async function runBatch(options: RunBatchOptions): Promise<BatchSessionResult> {
  const read = options.preloaded ?? (await readInput(options.input, { strict: options.strict ?? false }));
  const input = withBot(read, options.botType);
  const journalPath = journalPathFor(options.out);
  if (options.lock !== undefined) {
    if (options.lock.journalPath !== journalPath) {
      throw new BatchJournalError(`the lock given is for ${options.lock.journalPath}`, journalPath);
    }
    return runLocked(options, input, options.lock);
  }
  // The output's directory holds the lock file, so it must exist first.
  await mkdir(dirname(options.out), { recursive: true }).catch(() => undefined);
  const lock = await JournalLock.acquire(journalPath, options.lockOptions);
  try {
    return await runLocked(options, input, lock);
  } finally {
    await lock.release();
  }
}

/** Gives the prompts that name no bot the run's (`--bot niji`). */
function withBot(input: BatchInput, botType: BotType | undefined): BatchInput {
  if (botType !== 'niji') return input;
  return { ...input, prompts: input.prompts.map((p) => (p.botType === undefined ? { ...p, botType } : p)) };
}

async function runLocked(
  options: RunBatchOptions,
  input: BatchInput,
  lock: JournalLock,
): Promise<BatchSessionResult> {
  const fingerprint = fingerprintPrompts(input.prompts);
  const journalPath = lock.journalPath;
  const parsed = await readJournal(journalPath);

  const states = new Map<string, PromptState>();
  let writeHeader = true;
  if (parsed) {
    const header = parsed.records.filter((r): r is JournalHeader => r.t === 'header').at(-1);
    if (header === undefined)
      throw new BatchJournalError('no header record: not a batch journal', journalPath);
    if (header.fingerprint !== fingerprint && !options.resume) {
      throw new BatchJournalError(
        `written for other prompts (${header.input}, ${header.prompts} prompts); pass --resume to continue it with ${options.input} (prompts are matched by id), or choose another --out`,
        journalPath,
      );
    }
    writeHeader = header.fingerprint !== fingerprint;
    for (const record of parsed.records) applyRecord(states, record);
  } else {
    // `--resume` on a first run starts it: there is nothing to continue, and nothing to refuse.
    if (await nonEmpty(options.out)) {
      throw new BatchJournalError(
        `${options.out} already holds results but has no journal beside it; choose another --out or remove it`,
        journalPath,
      );
    }
  }

  await mkdir(dirname(options.out), { recursive: true }).catch(() => undefined);
  const journal = await Journal.open(journalPath, parsed ? parsed.intactBytes : null, {
    durable: options.durable ?? true,
  });
  let results: ResultsFile | undefined;
  try {
    if (writeHeader) {
      await journal.append({
        t: 'header',
        v: JOURNAL_VERSION,
        input: options.input,
        fingerprint,
        prompts: input.prompts.length,
        at: Date.now(),
      });
    }
    results = await ResultsFile.open(options.out);
    const resume: ResumeInfo = {
      resumed: parsed !== null,
      alreadyFinished: 0,
      inFlight: 0,
      restoredLines: 0,
    };
    for (const [id, state] of states) {
      if (state.ticket !== undefined) resume.inFlight += 1;
      if (state.result === undefined) continue;
      resume.alreadyFinished += 1;
      if (!results.ids.has(id)) {
        await results.write(state.result);
        resume.restoredLines += 1;
      }
    }
    options.onInput?.(input, resume);

    const sink = results;
    const runner = new BatchRunner({
      generator: options.generator,
      journal,
      writeResult: (line) => sink.write(line),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.download ? { downloader: new Downloader(options.download) } : {}),
      // Losing the lock (a takeover after this run was judged dead) stops submitting at once.
      signal: anySignal(options.signal, lock.lost) as AbortSignal,
      ...(options.jobTimeoutMs !== undefined ? { jobTimeoutMs: options.jobTimeoutMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
    options.onRunner?.(runner);
    const report = await runner.run(input.prompts, states);
    return { input, resume, report, journalPath };
  } finally {
    await results?.close();
    await journal.close();
  }
}

async function nonEmpty(path: string): Promise<boolean> {
  try {
    return (await stat(path)).size > 0;
  } catch {
    return false;
  }
}
