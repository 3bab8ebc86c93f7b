/**
 * `mjw batch <input> --out <results.jsonl>`: runs a file of prompts with the account's slots kept
 * full, one JSON line per prompt in the result file, progress on stderr, a summary on stdout.
 * Resumable: re-running the same command continues from the journal beside the output.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BatchInputError, BatchJournalError, formatProblem, JournalLockedError } from '../../batch/errors.js';
import { type BatchInput, INPUT_FORMATS, type InputFormat, readInput } from '../../batch/input/read-input.js';
import { JournalLock } from '../../batch/journal-lock.js';
import { openGenerator } from '../../batch/open-generator.js';
import { ProgressReporter } from '../../batch/progress.js';
import { writeBatchReport } from '../../batch/report.js';
import { parseRetryOutcomes } from '../../batch/retry-policy.js';
import type { BatchRunReport } from '../../batch/runner.js';
import { journalPathFor, runBatch } from '../../batch/session.js';
import { formatSummary } from '../../batch/summary.js';
import { type AccountConfig, loadAccountsConfig } from '../../config/accounts.js';
import { type BatchConfig, loadBatchConfig } from '../../config/batch.js';
import { type Config, loadConfig, readEnvironment } from '../../config/index.js';
import type { BotType } from '../../midjourney/constants.js';
import { anySignal } from '../../util/abort.js';
import { botFlag, integerFlag, parseCommandLine } from '../args.js';
import { type Command, type CommandContext, ExitCode, UsageError } from '../command.js';
import { createCliLogger } from '../logger.js';
import { isOwnershipRefusal, leaseAccountTokens, type TokenLeases } from '../token-lease.js';

const USAGE = `Usage: mjw batch <input|-> --out <results.jsonl> [--format txt|jsonl|csv] [--concurrency N]
                 [--download <dir>] [--split] [--retry <outcomes>] [--resume] [--strict]
                 [--report <report.html>] [--bot midjourney|niji]

Runs every prompt of <input> (.txt: one prompt a line, # comments; .jsonl: {"id"?, "prompt",
"actions"?: ["U1", ...], "botType"?: "midjourney"|"niji", "meta"?}; .csv: a "prompt" column, an optional "id" column, the rest kept
as meta) and writes one JSON line per prompt to --out as it finishes. "-" reads standard input
(txt unless --format says otherwise).

Options:
  --out <file>         Result file (required). The journal is <file>.journal.
  --format <type>      txt, jsonl or csv: the input's type when its name has no extension (or for -).
  --concurrency <n>    Jobs in flight at once (default: MJ_CONCURRENT_JOBS, 3; with MJ_ACCOUNTS_FILE, every account's slots).
  --download <dir>     Save each image to <dir>, named from the prompt id.
  --split              With --download, also cut each 2x2 grid into <id>-1.png ... <id>-4.png.
  --retry <outcomes>   Outcomes to try again with backoff (default queue-full; "none" for none):
                       queue-full, timeout, job-failed, unknown, output-filter, duplicate-images,
                       discord, error. Moderation is never retried.
  --resume             Continue the journal even if the input changed (prompts matched by id).
                       Re-running the same command resumes without it; on a first run it starts.
  --strict             Refuse the whole input if any line is invalid (default: skip bad lines).
  --bot <bot>          midjourney (default) or niji: the bot of every prompt whose line names none
                       (a .jsonl line's "botType" wins); a niji prompt's buttons go to niji too.
  --report <file>      Also write a self-contained HTML gallery of the run: the summary, every
                       prompt with its grid or its typed outcome (images from --download when
                       saved, else their URLs).

Every line is validated before anything is sent. Interrupt with Ctrl-C to stop submitting and let
jobs in flight finish (a second Ctrl-C exits at once); run the same command again to continue.
Without Discord credentials the batch runs against the built-in simulator.

One owner: the run holds <file>.journal.lock while it runs, and the Discord token's lease (see
MJW_LOCK_DIR); a second run on the same --out or the same token is refused, naming the holder's
pid and host. A lock left by a run that died is taken over. With MJW_REDIS_URL set it also takes
the cluster's lease of every account, as a worker does (every Discord call passes the cluster's
fenced send gate): while a worker drives one of them it is refused with AccountLeasedError.

Exit codes: 0 all prompts succeeded; 2 bad usage, input or journal; 3 a Midjourney outcome failed
a prompt; 4 a Discord or transport error failed a prompt; 1 anything else (interrupted, downloads,
the journal or the token held by another run: try again once it has ended).`;

interface BatchArgs {
  input: string;
  out: string;
  concurrency?: number;
  download?: string;
  split: boolean;
  retry?: Set<string>;
  resume: boolean;
  strict: boolean;
  format?: InputFormat;
  report?: string;
  bot?: BotType;
}

const BATCH_OPTIONS = {
  out: { type: 'string' },
  concurrency: { type: 'string' },
  download: { type: 'string' },
  split: { type: 'boolean' },
  retry: { type: 'string' },
  resume: { type: 'boolean' },
  strict: { type: 'boolean' },
  format: { type: 'string' },
  report: { type: 'string' },
  bot: { type: 'string' },
} as const;

/** Parses the command line; throws UsageError naming the problem. */
export function parseBatchArgs(argv: string[]): BatchArgs {
  const { values, positionals } = parseCommandLine(argv, BATCH_OPTIONS);
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'missing <input> file'
        : `expected one <input>, got ${positionals.join(' ')}`,
    );
  }
  if (values.out === undefined || values.out === '')
    throw new UsageError('--out <results.jsonl> is required');
  const args: BatchArgs = {
    input: positionals[0] as string,
    out: values.out,
    split: values.split ?? false,
    resume: values.resume ?? false,
    strict: values.strict ?? false,
  };
  const concurrency = integerFlag('concurrency', values.concurrency, 1, 24);
  if (concurrency !== undefined) args.concurrency = concurrency;
  if (values.download !== undefined) args.download = values.download;
  if (values.report !== undefined) {
    if (values.report === '') throw new UsageError('--report needs a file name (report.html)');
    args.report = values.report;
  }
  if (args.split && args.download === undefined) throw new UsageError('--split needs --download <dir>');
  if (values.format !== undefined) {
    if (!(INPUT_FORMATS as readonly string[]).includes(values.format))
      throw new UsageError(`--format: expected ${INPUT_FORMATS.join(', ')}, got "${values.format}"`);
    args.format = values.format as InputFormat;
  }
  if (values.retry !== undefined) {
    const retry = parseRetryOutcomes(values.retry);
    if (!retry.ok) throw new UsageError(retry.reason);
    args.retry = retry.value;
  }
  const bot = botFlag(values.bot);
  if (bot !== undefined) args.bot = bot;
  return args;
}

/** Outcomes that are not Midjourney's answer: transport trouble, or a local failure. */
const NOT_MIDJOURNEY = new Set(['discord', 'error', 'aborted']);

/** The exit code a finished (or stopped) batch ends with. */
export function exitCodeFor(report: BatchRunReport): number {
  if (report.fatal?.name === 'BatchJournalError') return ExitCode.Failure;
  const failed = Object.keys(report.outcomes).filter((outcome) => outcome !== 'success');
  if (failed.includes('discord')) return ExitCode.Discord;
  if (failed.some((outcome) => !NOT_MIDJOURNEY.has(outcome))) return ExitCode.Midjourney;
  if (failed.length > 0 || report.notRun > 0 || report.downloadFailures > 0) return ExitCode.Failure;
  return ExitCode.Ok;
}

interface Owned {
  lock: JournalLock;
  lease: TokenLeases;
  /** The accounts file's accounts; undefined for the one configured account. */
  accounts: readonly AccountConfig[] | undefined;
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseBatchArgs(ctx.argv);
  const env = readEnvironment({ env: ctx.env });
  const config = loadConfig({ env: ctx.env });
  const batchConfig = loadBatchConfig(env);
  const say = (message: string): void => {
    ctx.stderr.write(`mjw batch: ${message}\n`);
  };
  // Validate every line before starting anything (a simulator, a connection).
  let input: BatchInput;
  try {
    input = await readInput(args.input, {
      strict: args.strict,
      ...(args.format ? { format: args.format } : {}),
      ...(ctx.stdin ? { stdin: ctx.stdin } : {}),
    });
  } catch (error) {
    if (error instanceof BatchInputError) {
      say(error.message);
      return ExitCode.Usage;
    }
    throw error;
  }
  // One owner per journal, then per token, before anything is opened: a refused run sends nothing.
  // The journal first, so two runs on one --out are told about the journal, the closer cause.
  // With MJ_ACCOUNTS_FILE the batch runs on every account (each token leased), their slots kept full.
  const accountsConfig = loadAccountsConfig(env, config);
  const accounts = accountsConfig.file === null ? undefined : accountsConfig.accounts;
  let lock: JournalLock | undefined;
  let lease: TokenLeases | undefined;
  try {
    await mkdir(dirname(args.out), { recursive: true }).catch(() => undefined);
    lock = await JournalLock.acquire(journalPathFor(args.out));
    lease = await leaseAccountTokens(config, env, accounts);
  } catch (error) {
    await lock?.release();
    if (error instanceof JournalLockedError || isOwnershipRefusal(error)) {
      say(error.message);
      return ExitCode.Failure;
    }
    throw error;
  }
  try {
    return await runOwned(ctx, args, config, batchConfig, input, { lock, lease, accounts }, say);
  } finally {
    await lease.release();
    await lock.release();
  }
}

async function runOwned(
  ctx: CommandContext,
  args: BatchArgs,
  config: Config,
  batchConfig: BatchConfig,
  input: BatchInput,
  owned: Owned,
  say: (message: string) => void,
): Promise<number> {
  // A takeover means another run judged this one dead: say so, as the stop that follows is why.
  for (const lost of [owned.lock.lost, owned.lease.lost]) {
    lost?.addEventListener('abort', () => say(`stopping: ${(lost.reason as Error).message}`), { once: true });
  }
  // Human lines: this stderr also carries the progress bar and the command's own messages.
  const logger = createCliLogger(ctx, {
    level: config.logLevel,
    name: 'mjw-batch',
    format: 'pretty',
    secrets: [config.credentials?.token ?? '', ...(owned.accounts ?? []).map((a) => a.token)],
  });
  const opened = await openGenerator(
    config,
    args.concurrency ?? config.concurrentJobs,
    owned.accounts,
    logger,
    (accountId) => owned.lease.sendGate(accountId),
  );
  const concurrency = args.concurrency ?? opened.capacity;
  if (opened.simulated) {
    say(
      'no Discord credentials configured: running against the built-in simulator (nothing is sent to Discord)',
    );
    if (args.download === undefined)
      say(
        'the image URLs point at the built-in simulator and stop working when this command exits; add --download <dir> to keep the images',
      );
  }
  const progress = new ProgressReporter({ stream: ctx.stderr });
  const before = opened.requestStats();
  try {
    const { report } = await runBatch({
      input: args.input,
      preloaded: input,
      out: args.out,
      generator: opened.generator,
      ...(args.bot !== undefined ? { botType: args.bot } : {}),
      concurrency,
      retry: {
        ...(args.retry ? { outcomes: args.retry } : {}),
        maxAttempts: batchConfig.retryMaxAttempts,
        baseDelayMs: batchConfig.retryBaseDelayMs,
        maxDelayMs: batchConfig.retryMaxDelayMs,
      },
      ...(args.download !== undefined
        ? {
            download: {
              dir: args.download,
              split: args.split,
              concurrency: batchConfig.downloadConcurrency,
              retries: batchConfig.downloadRetries,
            },
          }
        : {}),
      resume: args.resume,
      strict: args.strict,
      lock: owned.lock,
      // Losing the token's lease to a takeover stops submitting, as Ctrl-C does.
      signal: anySignal(ctx.signal, owned.lease.lost) as AbortSignal,
      onInput: (batchInput, resume) => {
        for (const problem of batchInput.problems) say(`skipped ${formatProblem(problem)}`);
        if (args.resume && !resume.resumed) say('--resume: no journal yet, starting a new run');
        if (resume.resumed) {
          say(
            `resuming: ${resume.alreadyFinished} of ${batchInput.prompts.length} already finished, ${resume.inFlight} to look for before resubmitting`,
          );
        }
      },
      onRunner: (runner) => {
        runner.on('progress', (p) => progress.update(p));
        runner.on('retry', (id, outcome, delayMs) =>
          progress.log(`mjw batch: ${id}: ${outcome}, retrying in ${Math.round(delayMs / 1000)} s`),
        );
        runner.on('paused', (reason, delayMs) =>
          progress.log(
            reason === 'queue-full'
              ? `mjw batch: Midjourney's queue is full: pausing submissions for ${Math.round((delayMs ?? 0) / 1000)} s`
              : 'mjw batch: a job was queued by Midjourney: no new submission until it starts',
          ),
        );
        runner.on('stopping', (reason) => progress.log(`mjw batch: stopping: ${reason}`));
      },
    });
    progress.done();
    const after = opened.requestStats();
    const extras = {
      skippedLines: input.problems.length,
      ...(before && after
        ? { discordCalls: after.calls - before.calls, rateLimited: after.rateLimited - before.rateLimited }
        : {}),
    };
    ctx.stdout.write(`${formatSummary(report, extras)}\n`);
    if (report.notRun > 0) say(`${report.notRun} prompts not run: run the same command again to continue`);
    const code = exitCodeFor(report);
    if (args.report === undefined) return code;
    try {
      await mkdir(dirname(args.report), { recursive: true });
      const path = await writeBatchReport({
        path: args.report,
        input: args.input,
        results: args.out,
        prompts: input.prompts,
        report,
        extras,
      });
      say(`report written to ${path}`);
      return code;
    } catch (error) {
      say(`cannot write the report ${args.report} (${(error as Error).message})`);
      return code === ExitCode.Ok ? ExitCode.Failure : code;
    }
  } catch (error) {
    if (error instanceof BatchInputError || error instanceof BatchJournalError) {
      say(error.message);
      return ExitCode.Usage;
    }
    throw error;
  } finally {
    await opened.close();
  }
}

export const batchCommand: Command = {
  name: 'batch',
  summary: 'Run a file of prompts with the slots kept full; resumable after a crash',
  usage: USAGE,
  run,
};
