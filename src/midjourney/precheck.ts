/**
 * An optional local check of a prompt before an interaction is spent on it: empty, too long,
 * malformed parameters, and an optional banned-word list. Off by default; Midjourney stays the
 * judge, this only saves calls (and moderation strikes) on prompts it would certainly refuse.
 */
import { ValidationError } from '../errors.js';
import { PROMPT_MAX_LENGTH } from './constants.js';
import { InvalidRequestError, PreModerationError } from './errors.js';
import { checkParameterValue, parameterSpec, splitPrompt } from './parameters.js';

export interface PrecheckOptions {
  /** Maximum prompt length in characters. Default PROMPT_MAX_LENGTH (6000). */
  maxLength?: number;
  /** Words or phrases (case-insensitive, whole words) that make the prompt refused locally. Default none. */
  bannedWords?: readonly string[];
  /** Reject parameters Midjourney does not know (`--foo`). Default true. */
  rejectUnknownParameters?: boolean;
}

export const DEFAULT_PRECHECK_OPTIONS: Readonly<Required<PrecheckOptions>> = Object.freeze({
  maxLength: PROMPT_MAX_LENGTH,
  bannedWords: [],
  rejectUnknownParameters: true,
});

/**
 * Throws `InvalidRequestError` (with `parameter` when one is at fault) or `PreModerationError`
 * (`detectedLocally: true`, `bannedWord`) when Midjourney would certainly refuse the prompt.
 */
export function precheckPrompt(prompt: string, options: PrecheckOptions = {}): void {
  const settings = { ...DEFAULT_PRECHECK_OPTIONS, ...options };
  if (!Number.isInteger(settings.maxLength) || settings.maxLength < 1) {
    throw new ValidationError('Invalid precheck options', [
      `maxLength: must be a positive integer, got ${settings.maxLength}`,
    ]);
  }
  const invalid = (notice: string, parameter?: string): InvalidRequestError =>
    new InvalidRequestError({ prompt, notice, parameter, detectedLocally: true });

  if (typeof prompt !== 'string' || prompt.trim() === '') throw invalid('Empty prompt: nothing to imagine');
  if (prompt.length > settings.maxLength) {
    throw invalid(`Prompt too long: ${prompt.length} characters, the limit is ${settings.maxLength}`);
  }
  const { text, parameters } = splitPrompt(prompt);
  if (text === '') throw invalid('Empty prompt: only parameters, no text or image link');

  for (const { name, value } of parameters) {
    const spec = parameterSpec(name);
    if (spec === undefined) {
      if (settings.rejectUnknownParameters)
        throw invalid(`Unrecognized parameter: \`--${name}\``, `--${name}`);
      continue;
    }
    const problem = checkParameterValue(spec, value);
    if (problem !== undefined) throw invalid(`Invalid parameter \`--${name}\`: ${problem}`, `--${name}`);
  }

  const banned = findBannedWord(prompt, settings.bannedWords);
  if (banned !== undefined) {
    throw new PreModerationError({
      prompt,
      notice: `Banned prompt (local list): \`${banned}\``,
      detectedLocally: true,
      bannedWord: banned,
    });
  }
}

/** The first listed word that occurs as a whole word (links excluded), case-insensitively. */
export function findBannedWord(prompt: string, words: readonly string[]): string | undefined {
  if (words.length === 0) return undefined;
  const text = prompt.replace(/<?https?:\/\/\S+/gi, ' ').toLowerCase();
  for (const word of words) {
    const needle = word.trim().toLowerCase();
    if (needle === '') continue;
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
    // Letters and digits on either side mean a longer word (`class` does not contain `ass`).
    if (new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').test(text)) return word;
  }
  return undefined;
}
