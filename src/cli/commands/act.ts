/**
 * `mjw act <message-id> <action> [--prompt text] [--mask file] [--field id=value]`: presses a
 * button on a finished result (read back from its message) and waits for the new result. Buttons
 * Midjourney answers with a form (Custom Zoom, Vary (Region), Vary / Reroll in Remix mode) are
 * answered with --prompt / --mask / --field over the gateway.
 */
import type { GenerationResult } from '../../generation/types.js';
import { parseCommandLine } from '../args.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { type CommonArgs, parseTimeout, runCommand } from './command-run.js';

const USAGE = `Usage: mjw act <message-id> <action> [--prompt <text>] [--mask <png>] [--field <id>=<value>]
                [--channel <channel-id>] [--json] [--timeout <ms>]

Presses a button on a finished result and waits for the new one. <message-id> is the result's
message ("messageId" in mjw's JSON); <action> a button name (U1-U4, V1-V4, reroll, vary-strong,
vary-subtle, vary-region, zoom-2x, zoom-1.5x, zoom-custom, pan-left, upscale-subtle, ...).
Buttons answered with a form need the gateway (MJ_WATCH=gateway):
  --prompt <text>   The form's prompt: Remix's new prompt, Custom Zoom's prompt with --zoom <1-2>,
                    Vary (Region)'s prompt for the region. Default: Midjourney's prefilled value.
  --mask <png>      Vary (Region): the mask (PNG, white where to redraw). Required there.
  --field <id>=<v>  Any form input by its custom id (repeatable).
  --channel <id>    The result's channel (default DISCORD_CHANNEL_ID).
  --json            One JSON object: {"ok":true,"kind","jobId","messageId","echoedPrompt","imageUrl",...}
  --timeout <ms>    Deadline (default MJ_JOB_TIMEOUT_MS).`;

export interface ActArgs extends CommonArgs {
  messageId: string;
  action: string;
  prompt?: string;
  mask?: string;
  fields?: Record<string, string>;
  channelId?: string;
}

export function parseActArgs(argv: string[]): ActArgs {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    prompt: { type: 'string' },
    mask: { type: 'string' },
    field: { type: 'string', multiple: true },
    channel: { type: 'string' },
  });
  if (positionals.length !== 2) throw new UsageError('expected <message-id> and <action>');
  const [messageId, action] = positionals as [string, string];
  if (!/^\d{16,20}$/.test(messageId)) throw new UsageError(`<message-id>: not a snowflake: "${messageId}"`);
  if (values.channel !== undefined && !/^\d{16,20}$/.test(values.channel)) {
    throw new UsageError(`--channel: not a snowflake: "${values.channel}"`);
  }
  if (values.prompt !== undefined && values.prompt.trim() === '') throw new UsageError('--prompt is empty');
  const args: ActArgs = { messageId, action, json: values.json ?? false };
  if (values.prompt !== undefined) args.prompt = values.prompt;
  if (values.mask !== undefined) args.mask = values.mask;
  if (values.channel !== undefined) args.channelId = values.channel;
  for (const field of (values.field as string[] | undefined) ?? []) {
    const at = field.indexOf('=');
    if (at <= 0) throw new UsageError(`--field: expected <id>=<value>, got "${field}"`);
    args.fields = { ...args.fields, [field.slice(0, at)]: field.slice(at + 1) };
  }
  parseTimeout(values.timeout, args);
  return args;
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseActArgs(ctx.argv);
  return runCommand(
    'act',
    ctx,
    args,
    async (client, options) => {
      const source = await client.resultOf(args.messageId, {
        ...(args.channelId !== undefined ? { channelId: args.channelId } : {}),
        signal: options.signal,
      });
      return client.act(source, args.action, {
        ...options,
        ...(args.prompt !== undefined ? { prompt: args.prompt } : {}),
        ...(args.mask !== undefined ? { mask: args.mask } : {}),
        ...(args.fields !== undefined ? { fields: args.fields } : {}),
      });
    },
    (result: GenerationResult) =>
      `${result.imageUrl}\n  ${result.kind} ${result.jobId}: ${result.echoedPrompt}\n`,
  );
}

export const actCommand: Command = {
  name: 'act',
  summary: 'Press a button on a finished result (forms: --prompt, --mask)',
  usage: USAGE,
  run,
};
