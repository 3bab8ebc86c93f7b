/** `.txt` input: one prompt a line; blank lines and `#` comments skipped. */

import type { InputProblem } from '../errors.js';
import type { BatchPrompt } from '../prompt.js';
import { checkPrompt, deriveId } from './validate.js';

export interface ParsedLines {
  prompts: BatchPrompt[];
  problems: InputProblem[];
}

export function parseTxt(text: string, file: string): ParsedLines {
  const prompts: BatchPrompt[] = [];
  const problems: InputProblem[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const prompt = checkPrompt(trimmed);
    if (!prompt.ok) {
      problems.push({ file, line, reason: prompt.reason });
      return;
    }
    prompts.push({ id: deriveId(line, prompt.value), prompt: prompt.value, actions: [], meta: {}, line });
  });
  return { prompts, problems };
}
