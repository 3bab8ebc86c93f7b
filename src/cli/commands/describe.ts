/** `mjw describe <image> [--bot midjourney|niji] [--json] [--timeout ms]`: four prompts for an image. */
import type { DescribeResult } from '../../generation/commands/types.js';
import type { BotType } from '../../midjourney/constants.js';
import { botFlag, parseCommandLine } from '../args.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { type CommonArgs, parseTimeout, runCommand } from './command-run.js';

const USAGE = `Usage: mjw describe <image> [--bot midjourney|niji] [--json] [--timeout <ms>]

Uploads the image and runs /describe: prints Midjourney's four prompts, one per line.
<image> is a file path, an http(s) URL (public addresses only) or a data: URL. It must be a PNG,
JPEG, WebP or GIF of at most 10 MiB; anything else is refused before anything is sent (exit 2).

Options:
  --bot <bot>       midjourney (default) or niji: niji・journey's own /describe (MJ_NIJI_APPLICATION_ID).
  --json            One JSON object: {"ok":true,"kind":"describe","prompts":[...],"buttons":{...},"botType",...}
  --timeout <ms>    Deadline (default MJ_JOB_TIMEOUT_MS).`;

export function parseDescribeArgs(argv: string[]): CommonArgs & { image: string; bot?: BotType } {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    bot: { type: 'string' },
  });
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'missing <image>' : 'expected one image');
  const bot = botFlag(values.bot);
  const args = {
    image: positionals[0] as string,
    json: values.json ?? false,
    ...(bot !== undefined ? { bot } : {}),
  };
  parseTimeout(values.timeout, args);
  return args;
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseDescribeArgs(ctx.argv);
  return runCommand(
    'describe',
    ctx,
    args,
    (client, options) =>
      client.describe(args.image, { ...options, ...(args.bot !== undefined ? { botType: args.bot } : {}) }),
    (result: DescribeResult) => `${result.prompts.map((p, i) => `${i + 1}. ${p}`).join('\n')}\n`,
  );
}

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Describe an image: four prompts Midjourney writes for it',
  usage: USAGE,
  run,
};
