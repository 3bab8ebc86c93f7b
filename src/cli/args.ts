/**
 * Command-line parsing shared by every command: node's `parseArgs` in strict mode, with its
 * errors and bad numbers turned into a UsageError that names the flag (the router prints it with
 * the command's usage and exits 2).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { BOT_TYPES, type BotType } from '../midjourney/constants.js';
import { didYouMean } from '../util/suggest.js';
import { UsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What `parseArgs` returns for these options in strict mode. */
export type ParsedCommandLine<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>
>;

/** Parses `argv` strictly against `options`; unknown flags and missing values are UsageErrors. */
export function parseCommandLine<const O extends Options>(
  argv: string[],
  options: O,
  allowPositionals = true,
): ParsedCommandLine<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    // "Unknown option '--colour'. To specify a positional argument ...": name the nearest flag.
    const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (unknown !== null) {
      const hint = didYouMean(unknown[2] as string, Object.keys(options), (name) => `--${name}`);
      throw new UsageError(`Unknown option '${unknown[1]}${unknown[2]}'.${hint}`);
    }
    throw new UsageError(message);
  }
}

/** An integer flag within [min, max]; undefined when the flag is absent. */
export function integerFlag(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

/** `--bot midjourney|niji`: the bot a job goes to; undefined when the flag is absent. */
export function botFlag(raw: string | undefined): BotType | undefined {
  if (raw === undefined) return undefined;
  if (!(BOT_TYPES as readonly string[]).includes(raw)) {
    throw new UsageError(`--bot: expected ${BOT_TYPES.join(' or ')}, got "${raw}"`);
  }
  return raw as BotType;
}
