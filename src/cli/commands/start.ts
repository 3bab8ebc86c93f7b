/**
 * `mjw start [prompts]` (what `npm start` runs): the main job for a newcomer. It runs a prompt
 * file (examples/prompts.txt by default) through the real orchestrator with the batch runner,
 * showing progress and a summary. Without Discord credentials the built-in simulator plays
 * Discord and the Midjourney bot (watched over the gateway, as every command does against it),
 * and the images are saved beside the results since the simulator's URLs die with the process.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResultLines } from '../../batch/report.js';
import type { ResultLine } from '../../batch/result-line.js';
import { loadConfig } from '../../config/index.js';
import { parseCommandLine } from '../args.js';
import { type Command, type CommandContext, ExitCode, UsageError } from '../command.js';
import { batchCommand } from './batch.js';

const DEFAULT_PROMPTS = fileURLToPath(new URL('../../../examples/prompts.txt', import.meta.url));

const USAGE = `Usage: mjw start [prompts-file] [--out <results.jsonl>]

Runs a prompt file (default: examples/prompts.txt) end to end and prints a summary: every prompt
ends with success or a typed error (PreModerationError, InvalidRequestError, ...).
Without DISCORD_TOKEN / DISCORD_GUILD_ID / DISCORD_CHANNEL_ID it runs against the built-in simulator;
with them it talks to Discord. The results go to --out (default: results.jsonl in a fresh
temporary folder, kept after the run), with report.html beside them: a gallery of every prompt
with its grid or its typed outcome, readable offline. Against the simulator the images are saved
in images/ beside the results: the simulator's URLs stop working when the command exits.
For resumable runs, downloads and retries, use \`mjw batch\`.`;

async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseCommandLine(ctx.argv, { out: { type: 'string' } });
  if (positionals.length > 1)
    throw new UsageError(`expected at most one prompts file, got ${positionals.join(' ')}`);
  const prompts = positionals[0] ?? DEFAULT_PROMPTS;

  const config = loadConfig({ env: ctx.env });
  const simulated = config.credentials === null && ctx.env.MJ_ACCOUNTS_FILE === undefined;
  // Kept after the run: the results file is what the run is for. Against the built-in simulator
  // the image URLs die with the process, so the images are saved beside the results.
  const dir = values.out === undefined ? mkdtempSync(join(tmpdir(), 'mjw-start-')) : dirname(values.out);
  const results = values.out ?? join(dir, 'results.jsonl');
  const images = simulated ? join(dir, 'images') : undefined;
  const gallery = join(dir, 'report.html');
  ctx.stderr.write(
    `mjw start: running ${prompts}; results in ${results}${images ? `, images in ${images}` : ''}\n`,
  );
  const code = await batchCommand.run({
    ...ctx,
    argv: [
      prompts,
      '--out',
      results,
      '--retry',
      'none',
      '--report',
      gallery,
      ...(images ? ['--download', images] : []),
    ],
  });
  const lines = readResultLines(results);
  if (lines.length > 0) ctx.stdout.write(`\n${formatOutcomes(lines)}\n`);
  if (existsSync(gallery)) ctx.stdout.write(`\nReport: ${gallery}\n`);
  if (images)
    ctx.stdout.write(
      "\nThe simulator's image URLs stopped working when it stopped; the images are saved locally.\n",
    );
  // The demo's prompts end in typed failures on purpose: a Midjourney outcome is a result here.
  return code === ExitCode.Midjourney ? ExitCode.Ok : code;
}

/** One line per prompt: what happened, as the error class a caller would switch on. */
export function formatOutcomes(lines: readonly ResultLine[]): string {
  const rows = lines.map((line) => {
    const what = line.ok ? 'success' : (line.error?.name ?? line.outcome);
    const detail = line.ok
      ? (line.files[0] ?? line.imageUrl ?? '')
      : (line.error?.message.split('\n')[0] ?? '');
    const prompt = line.prompt.length > 48 ? `${line.prompt.slice(0, 47)}…` : line.prompt;
    return { what, prompt, detail };
  });
  const width = Math.max(...rows.map((row) => row.what.length));
  const promptWidth = Math.max(...rows.map((row) => row.prompt.length));
  return [
    'Outcomes',
    ...rows.map((row) => `  ${row.what.padEnd(width)}  ${row.prompt.padEnd(promptWidth)}  ${row.detail}`),
  ].join('\n');
}

export const startCommand: Command = {
  name: 'start',
  summary: 'Run examples/prompts.txt end to end (against the simulator when no Discord credentials are set)',
  usage: USAGE,
  run,
};
