/** `mjw shorten "<prompt>" [--json]`: the prompt's important tokens and five shorter prompts. */
import type { ShortenResult } from '../../generation/commands/types.js';
import { parseCommandLine } from '../args.js';
import { type Command, type CommandContext, UsageError } from '../command.js';
import { type CommonArgs, parseTimeout, runCommand } from './command-run.js';

const USAGE = `Usage: mjw shorten "<prompt>" [--json] [--timeout <ms>]

Runs /shorten: prints the prompt with its important words marked (*word*; dropped words in
[brackets]) and five shorter prompts, one per line.

Options:
  --json            One JSON object: {"ok":true,"kind":"shorten","tokens":[{"text","weight"}],"prompts":[...]}
  --timeout <ms>    Deadline (default MJ_JOB_TIMEOUT_MS).`;

export function parseShortenArgs(argv: string[]): CommonArgs & { prompt: string } {
  const { values, positionals } = parseCommandLine(argv, {
    json: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'missing "<prompt>"' : 'expected one quoted prompt');
  }
  const prompt = positionals[0] as string;
  if (prompt.trim() === '') throw new UsageError('the prompt is empty');
  const args = { prompt, json: values.json ?? false };
  parseTimeout(values.timeout, args);
  return args;
}

function text(result: ShortenResult): string {
  const tokens = result.tokens
    .map((t) => (t.weight === 'important' ? `*${t.text}*` : t.weight === 'dropped' ? `[${t.text}]` : t.text))
    .join(' ');
  return `Tokens: ${tokens}\n${result.prompts.map((p, i) => `${i + 1}. ${p}`).join('\n')}\n`;
}

async function run(ctx: CommandContext): Promise<number> {
  const args = parseShortenArgs(ctx.argv);
  return runCommand('shorten', ctx, args, (client, options) => client.shorten(args.prompt, options), text);
}

export const shortenCommand: Command = {
  name: 'shorten',
  summary: 'Shorten a prompt: its important tokens and five shorter prompts',
  usage: USAGE,
  run,
};
