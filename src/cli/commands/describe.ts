/** `mjw describe <image> [--json] [--timeout ms]`: four prompts for an image. */
import type { DescribeResult } from '../../generation/commands/types.js';
import { parseCommandLine } from '../args.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { type CommonArgs, parseTimeout, runCommand } from './command-run.js';

const USAGE = `Usage: mjw describe <image> [--json] [--timeout <ms>]

Uploads the image and runs /describe: prints Midjourney's four prompts, one per line.
<image> is a file path, an http(s) URL (public addresses only) or a data: URL. It must be a PNG,
JPEG, WebP or GIF of at most 10 MiB; anything else is refused before anything is sent (exit 2).

Options:
  --json            One JSON object: {"ok":true,"kind":"describe","prompts":[...],"buttons":{...},...}
  --timeout <ms>    Deadline (default MJ_JOB_TIMEOUT_MS).`;

export function parseDescribeArgs(argv: string[]): CommonArgs & { image: string } {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (positionals.length !== 1)
    throw new UsageError(positionals.length === 0 ? 'missing <image>' : 'expected one image');
  const args = { image: positionals[0] as string, json: values.json ?? false };
  parseTimeout(values.timeout, args);
  return args;
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseDescribeArgs(ctx.argv);
  return runCommand(
    'describe',
    ctx,
    args,
    (client, options) => client.describe(args.image, options),
    (result: DescribeResult) => `${result.prompts.map((p, i) => `${i + 1}. ${p}`).join('\n')}\n`,
  );
}

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Describe an image: four prompts Midjourney writes for it',
  usage: USAGE,
  run,
};
