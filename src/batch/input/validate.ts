/**
 * Validation shared by the three readers: each returns a reason string (for the file:line report)
 * or the cleaned value. Pure, so the rules are tested table-driven.
 */
import { createHash } from 'node:crypto';
import { PROMPT_MAX_LENGTH } from '../../midjourney/constants.js';

/** Longest prompt accepted locally; Discord caps a string option at 6000 characters. */
export const MAX_PROMPT_LENGTH = PROMPT_MAX_LENGTH;

/** Ids name downloaded files, so they are kept to characters safe in any file system. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Buttons a batch line may ask for on its /imagine grid. */
const ACTION_PATTERN = /^(U[1-4]|V[1-4]|reroll)$/;

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

export function checkPrompt(value: unknown): Checked<string> {
  if (typeof value !== 'string') return { ok: false, reason: '"prompt" must be a string' };
  const prompt = value.trim();
  if (prompt === '') return { ok: false, reason: 'empty prompt' };
  if (/[\r\n]/.test(prompt)) return { ok: false, reason: 'prompt must be a single line' };
  if (prompt.length > MAX_PROMPT_LENGTH) {
    return {
      ok: false,
      reason: `prompt is ${prompt.length} characters, over the ${MAX_PROMPT_LENGTH} limit`,
    };
  }
  return { ok: true, value: prompt };
}

export function checkId(value: unknown): Checked<string> {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    return {
      ok: false,
      reason: `invalid id ${JSON.stringify(value)}: 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit (it names the downloaded files)`,
    };
  }
  return { ok: true, value };
}

export function checkActions(value: unknown): Checked<string[]> {
  if (!Array.isArray(value)) return { ok: false, reason: '"actions" must be an array such as ["U1", "V2"]' };
  for (const action of value) {
    if (typeof action !== 'string' || !ACTION_PATTERN.test(action)) {
      return {
        ok: false,
        reason: `unknown action ${JSON.stringify(action)} (expected U1-U4, V1-V4 or reroll)`,
      };
    }
  }
  return { ok: true, value: [...(value as string[])] };
}

/**
 * The id of a line without one: its line number and a hash of the prompt, so it survives
 * re-running the same file and changes when the line's text does.
 */
export function deriveId(line: number, prompt: string): string {
  const hash = createHash('sha256').update(prompt).digest('hex').slice(0, 8);
  return `L${line}-${hash}`;
}
