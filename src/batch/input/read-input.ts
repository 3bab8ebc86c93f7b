/**
 * Reads a batch input file whole and validates every line before anything is sent: bad lines are
 * returned as problems (the runner reports and skips them) or, with `strict`, refuse the file.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { BatchInputError, type InputProblem } from '../errors.js';
import type { BatchPrompt } from '../prompt.js';
import { parseCsv } from './csv.js';
import { parseJsonl } from './jsonl.js';
import { type ParsedLines, parseTxt } from './txt.js';

export interface BatchInput {
  file: string;
  prompts: BatchPrompt[];
  /** Lines skipped, each with file:line and the reason. */
  problems: InputProblem[];
}

const PARSERS: Readonly<Record<string, (text: string, file: string) => ParsedLines>> = {
  '.txt': parseTxt,
  '.jsonl': parseJsonl,
  '.csv': parseCsv,
};

export const INPUT_EXTENSIONS = Object.keys(PARSERS);

/** What `--format` accepts: the input types, named without the dot. */
export const INPUT_FORMATS = ['txt', 'jsonl', 'csv'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** The name `-` reads standard input; problems then name `<stdin>`. */
export const STDIN_INPUT = '-';

export interface ReadInputOptions {
  /** Refuse the whole input if any line is invalid. */
  strict?: boolean;
  /** The input type, when the name's extension does not say (stdin: txt by default). */
  format?: InputFormat;
  /** Where `-` is read from; process.stdin by default. */
  stdin?: NodeJS.ReadableStream;
}

function parserFor(file: string, format: InputFormat | undefined) {
  const parser =
    format !== undefined
      ? PARSERS[`.${format}`]
      : file === STDIN_INPUT
        ? parseTxt
        : PARSERS[extname(file).toLowerCase()];
  if (parser === undefined) {
    throw new BatchInputError(
      `${file}: unsupported input type "${extname(file) || '(none)'}" (expected ${INPUT_EXTENSIONS.join(', ')}; --format ${INPUT_FORMATS.join('|')} names it)`,
      file,
    );
  }
  return parser;
}

/** Parses text already read; exported for tests and for callers holding the text in memory. */
export function parseInput(
  text: string,
  file: string,
  options: { strict?: boolean; format?: InputFormat } = {},
): BatchInput {
  const parser = parserFor(file, options.format);
  if (file === STDIN_INPUT) file = '<stdin>';
  const parsed = parser(text.startsWith('\uFEFF') ? text.slice(1) : text, file);
  const problems = [...parsed.problems];
  const prompts: BatchPrompt[] = [];
  const seen = new Map<string, number>();
  for (const prompt of parsed.prompts) {
    const first = seen.get(prompt.id);
    if (first !== undefined) {
      problems.push({
        file,
        line: prompt.line,
        reason: `duplicate id "${prompt.id}" (first used at line ${first})`,
      });
      continue;
    }
    seen.set(prompt.id, prompt.line);
    prompts.push(prompt);
  }
  problems.sort((a, b) => a.line - b.line);
  if (options.strict && problems.length > 0) {
    throw new BatchInputError(
      `${file}: ${problems.length} bad line${problems.length === 1 ? '' : 's'}; nothing was sent (--strict)`,
      file,
      problems,
    );
  }
  if (prompts.length === 0) {
    throw new BatchInputError(`${file}: no prompt to run`, file, problems);
  }
  return { file, prompts, problems };
}

export async function readInput(file: string, options: ReadInputOptions = {}): Promise<BatchInput> {
  parserFor(file, options.format);
  let text: string;
  try {
    text =
      file === STDIN_INPUT ? await readAll(options.stdin ?? process.stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new BatchInputError(`${file}: cannot read the input (${(error as Error).message})`, file, [], {
      cause: error,
    });
  }
  return parseInput(text, file, options);
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
