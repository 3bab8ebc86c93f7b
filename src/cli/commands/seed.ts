/** `mjw seed <job-uuid> --message <id> [--channel <id>]`: a finished job's seed (✉️ + the bot's DM). */
import type { SeedResult } from '../../generation/commands/types.js';
import { parseCommandLine } from '../args.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { type CommonArgs, parseTimeout, runCommand } from './command-run.js';

const USAGE = `Usage: mjw seed <job-uuid> --message <message-id> [--channel <channel-id>] [--json] [--timeout <ms>]

Reacts ✉️ on the job's result message and prints the seed Midjourney sends by DM.
<job-uuid> is Midjourney's job id (the UUID in the grid's file name, "jobId" in mjw's JSON);
--message is the result message ("messageId"); --channel defaults to DISCORD_CHANNEL_ID.

Options:
  --json            One JSON object: {"ok":true,"jobId","seed","messageId","dmChannelId"}
  --timeout <ms>    Deadline (default MJ_JOB_TIMEOUT_MS).`;

export interface SeedArgs extends CommonArgs {
  jobId: string;
  messageId: string;
  channelId?: string;
}

export function parseSeedArgs(argv: string[]): SeedArgs {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    message: { type: 'string' },
    channel: { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError('expected one <job-uuid>');
  const jobId = positionals[0] as string;
  if (!/^[0-9a-f-]{36}$/i.test(jobId))
    throw new UsageError(`<job-uuid>: not a Midjourney job id: "${jobId}"`);
  if (values.message === undefined || !/^\d{16,20}$/.test(values.message)) {
    throw new UsageError('--message: the result message id is required (a snowflake)');
  }
  if (values.channel !== undefined && !/^\d{16,20}$/.test(values.channel)) {
    throw new UsageError(`--channel: not a snowflake: "${values.channel}"`);
  }
  const args: SeedArgs = { jobId, messageId: values.message, json: values.json ?? false };
  if (values.channel !== undefined) args.channelId = values.channel;
  parseTimeout(values.timeout, args);
  return args;
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseSeedArgs(ctx.argv);
  return runCommand(
    'seed',
    ctx,
    args,
    (client, options) =>
      client.seed(
        {
          jobId: args.jobId,
          messageId: args.messageId,
          channelId: args.channelId ?? client.settings.channelId,
        },
        options,
      ),
    (result: SeedResult) => `${result.seed}\n`,
  );
}

export const seedCommand: Command = {
  name: 'seed',
  summary: "Print a finished job's seed (reacts ✉️, reads Midjourney's DM)",
  usage: USAGE,
  run,
};
