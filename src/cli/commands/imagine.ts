/**
 * `mjw imagine "<prompt>" [--json] [--timeout ms] [--watch poll|gateway]`: one prompt to its
 * outcome. Progress goes to stderr (a live line on a TTY, plain lines otherwise) so stdout holds
 * only the result: a human summary, or with --json exactly one JSON object. Without Discord
 * credentials it runs against the built-in simulator and says so.
 */
import { type Config, loadConfig, type WatchMode } from '../../config/index.js';
import { classifyError } from '../../error-kind.js';
import { WorkerError } from '../../errors.js';
import type { Midjourney } from '../../generation/midjourney.js';
import type { GenerationResult, ProgressInfo } from '../../generation/types.js';
import type { BotType } from '../../midjourney/constants.js';
import { botFlag, parseCommandLine } from '../args.js';
import { type Command, type CommandContext, ExitCode, UsageError } from '../command.js';
import { createCliLogger } from '../logger.js';
import { openClient } from '../open-client.js';
import { isOwnershipRefusal } from '../token-lease.js';

const USAGE = `Usage: mjw imagine "<prompt>" [--json] [--timeout <ms>] [--watch poll|gateway] [--image <img>]...
                   [--sref <img>]... [--cref <img>]... [--oref <img>] [--mode fast|relax|turbo]
                   [--bot midjourney|niji]

Sends /imagine and waits for the outcome: the finished grid, or a typed error naming what
Midjourney did (PreModerationError, QueueFullError, InvalidRequestError, ...).

Options:
  --json            Print exactly one JSON object on stdout at the end:
                    {"ok":true,"jobId","messageId","prompt","imageUrl","durationMs","botType"} or
                    {"ok":false,"error":{"name","code","message","retryable"}}
  --timeout <ms>    Hard deadline for the job (default MJ_JOB_TIMEOUT_MS, 10 min).
  --watch <mode>    poll (REST, default) or gateway (real time; sees ephemeral notices).
  --image <img>     An image prompt (repeatable): a file, an http(s) URL (public addresses only) or a
                    data: URL; checked (PNG, JPEG, WebP, GIF, at most 10 MiB), uploaded and shown in the
                    channel, its URL placed before the prompt. A refused image exits 2, nothing sent.
  --sref <img>      A style reference (repeatable; --sref); --cref <img> a character reference
                    (repeatable); --oref <img> the omni reference (one).
  --mode <speed>    fast, relax or turbo for this job (Midjourney's --fast / --relax / --turbo).
  --bot <bot>       midjourney (default) or niji: niji・journey's own /imagine (MJ_NIJI_APPLICATION_ID).

Ctrl-C waits for the job in flight to finish (its result is printed as usual); a second Ctrl-C
aborts it (AbortError, exit 1); a third exits at once.

Without DISCORD_TOKEN / DISCORD_GUILD_ID / DISCORD_CHANNEL_ID it runs against the built-in simulator
(watched over the gateway; the image URL stops working when the command exits).
With a Discord token it first takes the token's lease (see MJW_LOCK_DIR): while another mjw process
drives the same token on this machine it is refused with TokenInUseError naming that process.
With MJW_REDIS_URL set it also takes the cluster's lease of the token's account, as a worker does:
while a worker (or another command) drives it, it is refused with AccountLeasedError naming the
holder, and an unreachable Redis is ClusterUnavailableError; nothing is sent in either case.
Exit codes: 0 success; 2 bad usage or configuration; 3 a Midjourney outcome (moderation, queue
full, invalid request, timeout, ...); 4 a Discord or transport error; 1 anything else (the
token's lease held by another process among them).`;

interface ImagineArgs {
  prompt: string;
  json: boolean;
  timeoutMs?: number;
  watch?: WatchMode;
  /** Image prompts and references (files, URLs, data: URLs). */
  images?: string[];
  sref?: string[];
  cref?: string[];
  oref?: string;
  mode?: 'fast' | 'relax' | 'turbo';
  bot?: BotType;
}

/** Parses the command line; throws UsageError naming the problem. */
export function parseImagineArgs(argv: string[]): ImagineArgs {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    watch: { type: 'string' },
    image: { type: 'string', multiple: true },
    sref: { type: 'string', multiple: true },
    cref: { type: 'string', multiple: true },
    oref: { type: 'string' },
    mode: { type: 'string' },
    bot: { type: 'string' },
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'missing "<prompt>"'
        : `expected one quoted prompt, got ${positionals.length} arguments`,
    );
  }
  const prompt = positionals[0] as string;
  if (prompt.trim() === '') throw new UsageError('the prompt is empty');
  const args: ImagineArgs = { prompt, json: values.json ?? false };
  if (values.timeout !== undefined) {
    const ms = Number(values.timeout);
    if (!Number.isInteger(ms) || ms < 1) {
      throw new UsageError(`--timeout: expected a positive integer of ms, got "${values.timeout}"`);
    }
    args.timeoutMs = ms;
  }
  if (values.watch !== undefined) {
    if (values.watch !== 'poll' && values.watch !== 'gateway') {
      throw new UsageError(`--watch: expected poll or gateway, got "${values.watch}"`);
    }
    args.watch = values.watch;
  }
  if (values.image !== undefined) args.images = values.image;
  if (values.sref !== undefined) args.sref = values.sref;
  if (values.cref !== undefined) args.cref = values.cref;
  if (values.oref !== undefined) args.oref = values.oref;
  if (values.mode !== undefined) {
    if (values.mode !== 'fast' && values.mode !== 'relax' && values.mode !== 'turbo') {
      throw new UsageError(`--mode: expected fast, relax or turbo, got "${values.mode}"`);
    }
    args.mode = values.mode;
  }
  const bot = botFlag(values.bot);
  if (bot !== undefined) args.bot = bot;
  return args;
}

/** Whether the command line names image prompts or references. */
function hasImages(args: ImagineArgs): boolean {
  return (
    (args.images?.length ?? 0) + (args.sref?.length ?? 0) + (args.cref?.length ?? 0) > 0 ||
    args.oref !== undefined
  );
}

/** 3 for what Midjourney did, 4 for Discord and the transport, 2 for bad input, 1 otherwise. */
export function exitCodeFor(error: unknown): ExitCode {
  // The same classification as the batch outcome and the service outcome (src/error-kind.ts).
  switch (classifyError(error).family) {
    case 'midjourney':
      return ExitCode.Midjourney;
    case 'discord':
      return ExitCode.Discord;
    case 'invalid-input':
      return ExitCode.Usage;
    default:
      return ExitCode.Failure;
  }
}

/** The `--json` error object; never carries more than the error's own (redacted) message. */
export function errorJson(error: unknown): {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
} {
  if (error instanceof WorkerError) {
    return { name: error.name, code: error.code, message: error.message, retryable: error.retryable };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    name: e.name,
    code: e.name === 'AbortError' ? 'ABORTED' : 'ERROR',
    message: e.message,
    retryable: false,
  };
}

/** Progress on stderr: one line rewritten in place on a TTY, plain lines otherwise. */
class ProgressLine {
  private live = false;
  constructor(private readonly out: CommandContext['stderr']) {}

  update(text: string): void {
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}`);
      this.live = true;
    } else {
      this.out.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.live) this.out.write('\n');
    this.live = false;
  }
}

function watchProgress(client: Midjourney, line: ProgressLine): void {
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  client.on('submitted', () => line.update(`submitted, waiting for Midjourney (${elapsed()})`));
  client.on('queued', (_job, notice) =>
    line.update(`queued by Midjourney: ${notice.split('\n')[0]} (${elapsed()})`),
  );
  client.on('started', () => line.update(`started (${elapsed()})`));
  client.on('progress', (_job, p: ProgressInfo) =>
    line.update(`progress ${String(p.percent).padStart(3)}%${p.mode ? ` (${p.mode})` : ''} (${elapsed()})`),
  );
}

async function open(
  config: Config,
  args: ImagineArgs,
  ctx: CommandContext,
): Promise<{ client: Midjourney; close(): Promise<void> }> {
  // Human lines: this stderr also carries the progress line (stdout keeps the result alone).
  const logger = createCliLogger(ctx, {
    level: config.logLevel,
    name: 'mjw-imagine',
    format: 'pretty',
    secrets: [config.credentials?.token ?? ''],
  });
  // One driver per token, taken before the client exists: locally (TokenInUseError otherwise)
  // and, with MJW_REDIS_URL, in the cluster (AccountLeasedError while a worker drives it; every
  // call then passes the cluster's fenced send gate, so the 350 ms spacing holds across both).
  return openClient('imagine', config, ctx, args.watch, logger);
}

function printResult(ctx: CommandContext, args: ImagineArgs, result: GenerationResult): void {
  const { jobId, messageId, prompt, imageUrl } = result;
  const durationMs = result.timings.durationMs;
  const botType = result.botType ?? 'midjourney';
  if (args.json) {
    ctx.stdout.write(
      `${JSON.stringify({ ok: true, jobId, messageId, prompt, imageUrl, durationMs, botType })}\n`,
    );
    return;
  }
  ctx.stdout.write(
    [
      `Done in ${(durationMs / 1000).toFixed(1)} s: ${imageUrl}`,
      `  job ${jobId}, message ${messageId}${result.mode ? `, ${result.mode} mode` : ''}${botType === 'niji' ? ', niji・journey' : ''}`,
      `  buttons: ${Object.keys(result.actions).join(' ') || 'none'}`,
      '',
    ].join('\n'),
  );
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseImagineArgs(ctx.argv);
  const config = loadConfig({ env: ctx.env });
  const report = (error: unknown): ExitCode => {
    const info = errorJson(error);
    if (args.json) ctx.stdout.write(`${JSON.stringify({ ok: false, error: info })}\n`);
    else ctx.stderr.write(`mjw imagine: ${info.name} [${info.code}]: ${info.message}\n`);
    return exitCodeFor(error);
  };
  let opened: Awaited<ReturnType<typeof open>>;
  try {
    opened = await open(config, args, ctx);
  } catch (error) {
    if (isOwnershipRefusal(error)) return report(error);
    throw error;
  }
  const { client, close } = opened;
  const line = new ProgressLine(ctx.stderr);
  watchProgress(client, line);
  // Ctrl-C finishes the job in flight (the router says so); a second one aborts it. Without a
  // `force` signal (a caller of runCli that has none), the first abort stops the job.
  const stop = ctx.force ?? ctx.signal;
  if (ctx.force !== undefined) {
    ctx.signal.addEventListener(
      'abort',
      () => line.update('interrupted: waiting for the job in flight to finish (Ctrl-C again to abort it)'),
      { once: true },
    );
  }
  try {
    const options = {
      signal: stop,
      ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
      ...(args.mode !== undefined ? { mode: args.mode } : {}),
      ...(args.bot !== undefined ? { botType: args.bot } : {}),
    };
    const result = hasImages(args)
      ? await client.imagineWithImages(
          args.prompt,
          {
            ...(args.images !== undefined ? { images: args.images } : {}),
            ...(args.sref !== undefined ? { sref: args.sref } : {}),
            ...(args.cref !== undefined ? { cref: args.cref } : {}),
            ...(args.oref !== undefined ? { oref: args.oref } : {}),
          },
          options,
        )
      : await client.imagine(args.prompt, options);
    line.done();
    printResult(ctx, args, result);
    if (config.credentials === null)
      ctx.stderr.write(
        'mjw imagine: the image URL points at the built-in simulator and stops working now that this command exits\n',
      );
    return ExitCode.Ok;
  } catch (error) {
    line.done();
    return report(error);
  } finally {
    await close();
  }
}

export const imagineCommand: Command = {
  name: 'imagine',
  summary: 'Generate one prompt and wait for its outcome (--json for one machine-readable line)',
  usage: USAGE,
  run,
  finishesInFlight: true,
};
