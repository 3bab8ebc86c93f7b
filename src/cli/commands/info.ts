/** `mjw info [--json]`: the account's `/info` (plan, mode, fast time, jobs), read over the gateway. */
import { loadConfig } from '../../config/index.js';
import type { AccountInfo } from '../../midjourney/info-answer.js';
import { LockFileError, TokenInUseError } from '../../ownership/errors.js';
import { parseCommandLine } from '../args.js';
import { type Command, type CommandContext, ExitCode, UsageError } from '../command.js';
import { openClient } from '../open-client.js';
import { errorJson, exitCodeFor } from './imagine.js';

const USAGE = `Usage: mjw info [--json] [--timeout <ms>]

Runs /info and prints the account's facts: subscription, job mode, visibility, fast time remaining,
usage, queued and running jobs. Midjourney answers privately, so this connects to the gateway.

Options:
  --json            One JSON object: {"ok":true,"jobMode","fastTimeRemaining":{...},"fields":{...},...}
  --timeout <ms>    Deadline (default MJ_JOB_TIMEOUT_MS).`;

function text(info: AccountInfo): string {
  return `${Object.entries(info.fields)
    .map(([key, value]) => `${key}: ${value}`)
    .join('\n')}\n`;
}

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(ctx.argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError('mjw info takes no arguments');
  const json = values.json ?? false;
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1)) {
    throw new UsageError(`--timeout: expected a positive integer of ms, got "${values.timeout}"`);
  }
  const report = (error: unknown): number => {
    const info = errorJson(error);
    if (json) ctx.stdout.write(`${JSON.stringify({ ok: false, error: info })}\n`);
    else ctx.stderr.write(`mjw info: ${info.name} [${info.code}]: ${info.message}\n`);
    return exitCodeFor(error);
  };
  let opened: Awaited<ReturnType<typeof openClient>>;
  try {
    opened = await openClient('info', loadConfig({ env: ctx.env }), ctx, 'gateway');
  } catch (error) {
    if (error instanceof TokenInUseError || error instanceof LockFileError) return report(error);
    throw error;
  }
  try {
    const info = await opened.client.info({
      signal: ctx.signal,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    ctx.stdout.write(json ? `${JSON.stringify({ ok: true, ...info })}\n` : text(info));
    return ExitCode.Ok;
  } catch (error) {
    return report(error);
  } finally {
    await opened.close();
  }
}

export const infoCommand: Command = {
  name: 'info',
  summary: "Show the account's /info: plan, mode, fast time remaining, jobs",
  usage: USAGE,
  run,
};
