/**
 * `.jsonl` input: one `{"id"?, "prompt", "actions"?, "botType"?, "meta"?}` object a line; blank
 * lines skipped. `botType` is `midjourney` or `niji`.
 */
import type { InputProblem } from '../errors.js';
import type { BatchPrompt } from '../prompt.js';
import type { ParsedLines } from './txt.js';
import { checkActions, checkId, checkPrompt, deriveId } from './validate.js';

const KNOWN_KEYS = new Set(['id', 'prompt', 'actions', 'botType', 'meta']);

export function parseJsonl(text: string, file: string): ParsedLines {
  const prompts: BatchPrompt[] = [];
  const problems: InputProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const parsed = parseRecord(raw, line);
    if (typeof parsed === 'string') problems.push({ file, line, reason: parsed });
    else prompts.push(parsed);
  });
  return { prompts, problems };
}

/** One line to a prompt, or the reason it is refused. */
function parseRecord(raw: string, line: number): BatchPrompt | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return `invalid JSON: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object with a "prompt" field';
  }
  const record = value as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) {
    return `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} (expected id, prompt, actions, botType, meta)`;
  }
  if (!('prompt' in record)) return 'missing "prompt"';
  const prompt = checkPrompt(record.prompt);
  if (!prompt.ok) return prompt.reason;
  let id = deriveId(line, prompt.value);
  if (record.id !== undefined) {
    const checked = checkId(record.id);
    if (!checked.ok) return checked.reason;
    id = checked.value;
  }
  let actions: string[] = [];
  if (record.actions !== undefined) {
    const checked = checkActions(record.actions);
    if (!checked.ok) return checked.reason;
    actions = checked.value;
  }
  const bot = record.botType;
  if (bot !== undefined && bot !== 'midjourney' && bot !== 'niji') {
    return `"botType" must be "midjourney" or "niji", got ${JSON.stringify(bot)}`;
  }
  const meta = record.meta;
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) {
    return '"meta" must be a JSON object';
  }
  return {
    id,
    prompt: prompt.value,
    actions,
    ...(bot !== undefined ? { botType: bot } : {}),
    meta: (meta as Record<string, unknown>) ?? {},
    line,
  };
}
