/**
 * `mjw blend <image> <image> [...] [--dimensions portrait|square|landscape] [--bot midjourney|niji]`:
 * one grid from 2–5 images.
 */
import type { BlendDimensions } from '../../generation/commands/types.js';
import type { GenerationResult } from '../../generation/types.js';
import type { BotType } from '../../midjourney/constants.js';
import { botFlag, parseCommandLine } from '../args.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { type CommonArgs, parseTimeout, runCommand } from './command-run.js';

const USAGE = `Usage: mjw blend <image> <image> [<image>...] [--dimensions portrait|square|landscape]
                 [--bot midjourney|niji] [--json] [--timeout <ms>]

Uploads 2 to 5 images and runs /blend; prints the grid's URL and buttons.
Each <image> is a file path, an http(s) URL (public addresses only) or a data: URL (PNG, JPEG,
WebP or GIF, at most 10 MiB); a bad one is refused before anything is sent (exit 2).

Options:
  --dimensions <d>  portrait (--ar 2:3), square (--ar 1:1, default) or landscape (--ar 3:2).
  --bot <bot>       midjourney (default) or niji: niji・journey's own /blend (MJ_NIJI_APPLICATION_ID).
  --json            One JSON object: {"ok":true,"kind":"blend","jobId","imageUrl","actions","botType",...}
  --timeout <ms>    Deadline (default MJ_JOB_TIMEOUT_MS).`;

const DIMENSIONS = ['portrait', 'square', 'landscape'];

export function parseBlendArgs(
  argv: string[],
): CommonArgs & { images: string[]; dimensions: BlendDimensions; bot?: BotType } {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
    dimensions: { type: 'string' },
    bot: { type: 'string' },
  });
  if (positionals.length < 2 || positionals.length > 5) {
    throw new UsageError(`expected 2 to 5 images, got ${positionals.length}`);
  }
  const dimensions = values.dimensions ?? 'square';
  if (!DIMENSIONS.includes(dimensions)) {
    throw new UsageError(`--dimensions: expected portrait, square or landscape, got "${dimensions}"`);
  }
  const bot = botFlag(values.bot);
  const args = {
    images: positionals,
    dimensions: dimensions as BlendDimensions,
    json: values.json ?? false,
    ...(bot !== undefined ? { bot } : {}),
  };
  parseTimeout(values.timeout, args);
  return args;
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseBlendArgs(ctx.argv);
  return runCommand(
    'blend',
    ctx,
    args,
    (client, options) =>
      client.blend(args.images, {
        ...options,
        dimensions: args.dimensions,
        ...(args.bot !== undefined ? { botType: args.bot } : {}),
      }),
    (result: GenerationResult) =>
      `Blended: ${result.imageUrl}\n  job ${result.jobId}, message ${result.messageId}${result.botType === 'niji' ? ', niji・journey' : ''}\n  buttons: ${Object.keys(result.actions).join(' ')}\n`,
  );
}

export const blendCommand: Command = {
  name: 'blend',
  summary: 'Blend 2-5 images into one grid',
  usage: USAGE,
  run,
};
