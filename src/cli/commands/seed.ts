/**
 * `mjw seed <job-uuid> --message <id> [--channel <id>] [--bot midjourney|niji]`: a finished job's
 * seed (✉️ + the DM of the job's bot).
 */
import type { SeedResult } from '../../generation/commands/types.js';
import type { BotType } from '../../midjourney/constants.js';
import { botFlag, parseCommandLine } from '../args.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { type CommonArgs, parseTimeout, runCommand } from './command-run.js';

const USAGE = `Usage: mjw seed <job-uuid> --message <message-id> [--channel <channel-id>]
                [--bot midjourney|niji] [--json] [--timeout <ms>]

Reacts ✉️ on the job's result message and prints the seed the job's bot sends by DM.
<job-uuid> is Midjourney's job id (the UUID in the grid's file name, "jobId" in mjw's JSON);
--message is the result message ("messageId"); --channel defaults to DISCORD_CHANNEL_ID.

Options:
  --bot <bot>       midjourney (default) or niji: the bot that ran the job (its DM carries the seed).
  --json            One JSON object: {"ok":true,"jobId","seed","messageId","dmChannelId"}
  --timeout <ms>    Deadline (default MJ_JOB_TIMEOUT_MS).`;

export interface SeedArgs extends CommonArgs {
  jobId: string;
  messageId: string;
  channelId?: string;
  bot?: BotType;
}

export function parseSeedArgs(argv: string[]): SeedArgs {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    message: { type: 'string' },
    channel: { type: 'string' },
    bot: { type: 'string' },
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
  const bot = botFlag(values.bot);
  if (bot !== undefined) args.bot = bot;
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
          ...(args.bot !== undefined ? { botType: args.bot } : {}),
        },
        options,
      ),
    (result: SeedResult) => `${result.seed}\n`,
  );
}

export const seedCommand: Command = {
  name: 'seed',
  summary: "Print a finished job's seed (reacts ✉️, reads the DM of the job's bot)",
  usage: USAGE,
  run,
};
