/**
 * What `mjw describe`, `mjw blend` and `mjw shorten` share: `--json` / `--timeout` parsing, the
 * client, and the report of a failure with the same exit codes as `mjw imagine` (an image refused
 * before sending is bad input: exit 2).
 */
import { loadConfig, type WatchMode } from '../../config/index.js';
import type { Midjourney } from '../../generation/midjourney.js';
import { isImageInputError } from '../../images/errors.js';
import { type CommandContext, ExitCode, UsageError } from '../command.js';
import { openClient } from '../open-client.js';
import { isOwnershipRefusal } from '../token-lease.js';
import { errorJson, exitCodeFor } from './imagine.js';

export interface CommonArgs {
  json: boolean;
  timeoutMs?: number;
}

export function parseTimeout(value: string | undefined, args: CommonArgs): void {
  if (value === undefined) return;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1)
    throw new UsageError(`--timeout: expected a positive integer of ms, got "${value}"`);
  args.timeoutMs = ms;
}

/** Opens the client, runs `work`, prints its JSON or text, and maps a failure to an exit code. */
export async function runCommand<T>(
  name: string,
  ctx: CommandContext,
  args: CommonArgs,
  work: (client: Midjourney, options: { signal: AbortSignal; timeoutMs?: number }) => Promise<T>,
  text: (result: T) => string,
  /** `gateway` for commands Midjourney answers privately (`/settings`); default the config's. */
  watch?: WatchMode,
): Promise<number> {
  const config = loadConfig({ env: ctx.env });
  const report = (error: unknown): number => {
    const info = errorJson(error);
    if (args.json) ctx.stdout.write(`${JSON.stringify({ ok: false, error: info })}\n`);
    else ctx.stderr.write(`mjw ${name}: ${info.name} [${info.code}]: ${info.message}\n`);
    return isImageInputError(error) ? ExitCode.Usage : exitCodeFor(error);
  };
  let opened: Awaited<ReturnType<typeof openClient>>;
  try {
    opened = await openClient(name, config, ctx, watch);
  } catch (error) {
    if (isOwnershipRefusal(error)) return report(error);
    throw error;
  }
  try {
    const result = await work(opened.client, {
      signal: ctx.signal,
      ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
    });
    ctx.stdout.write(args.json ? `${JSON.stringify({ ok: true, ...result })}\n` : text(result));
    return ExitCode.Ok;
  } catch (error) {
    return report(error);
  } finally {
    await opened.close();
  }
}
