/**
 * Reads the bot's answers to `/describe` and `/shorten` (see /work/shared/MIDJOURNEY.md, "Beyond
 * /imagine" § 2 and § 4). Pure functions over the answer message; undefined while the message is
 * still the empty "thinking" reply that Midjourney later edits.
 *
 *  - describe: `embeds[0].description` holds four prompts `1️⃣ …` to `4️⃣ …` separated by blank
 *    lines; `embeds[0].image.url` is the described image; the buttons `MJ::Job::PicReader::<n>`
 *    imagine prompt n (`MJ::Job::PicReader::all` all of them, `MJ::Picread::Retry` describes again).
 *  - shorten: `## Important tokens` then the prompt with `**important**`, plain and
 *    `~~dropped~~` words, then `## Shortened prompts` with numbered prompts; buttons
 *    `MJ::Job::PromptAnalyzer::<n>`.
 */
import type { APIMessage } from '../discord/types.js';

/** Keycap digits Midjourney numbers its prompts with (`1️⃣`), or a plain `1.` / `1)`. */
const NUMBERED = /^\s*(?:([1-9])\uFE0F?\u20E3|([1-9])[.)])\s*([\s\S]+?)\s*$/u;

function numberedItems(text: string): string[] {
  const items: string[] = [];
  for (const block of text.split(/\n\s*\n|\n(?=\s*[1-9]\uFE0F?\u20E3)/u)) {
    const match = NUMBERED.exec(block);
    const item = match?.[3]?.trim();
    if (item) items.push(item);
  }
  return items;
}

/** Buttons of the message whose custom_id starts with `prefix`, by the number that follows. */
function numberedButtons(message: APIMessage, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const row of message.components ?? []) {
    for (const component of row.components ?? []) {
      const id = component.custom_id;
      if (typeof id !== 'string' || !id.startsWith(prefix)) continue;
      out[id.slice(prefix.length)] = id;
    }
  }
  return out;
}

export interface DescribeAnswer {
  /** The prompts, in Midjourney's order (four). */
  prompts: string[];
  /** The described image as Discord serves it. */
  imageUrl?: string;
  /** `1`..`4`, `all` -> custom_id of the button that imagines it; `retry` to describe again. */
  buttons: Record<string, string>;
}

export function parseDescribeAnswer(message: APIMessage): DescribeAnswer | undefined {
  const embed = message.embeds?.[0];
  const description = embed?.description;
  if (typeof description !== 'string' || description.trim() === '' || embed?.title) return undefined;
  const prompts = numberedItems(description);
  if (prompts.length === 0) return undefined;
  const buttons = numberedButtons(message, 'MJ::Job::PicReader::');
  const retry = Object.values(numberedButtons(message, 'MJ::Picread::Retry'));
  if (retry[0]) buttons.retry = retry[0];
  const answer: DescribeAnswer = { prompts, buttons };
  if (embed?.image?.url) answer.imageUrl = embed.image.url;
  return answer;
}

/** How much a word of the prompt counts, as `/shorten` marks it. */
export type TokenWeight = 'important' | 'neutral' | 'dropped';

export interface ShortenToken {
  text: string;
  weight: TokenWeight;
}

export interface ShortenAnswer {
  /** The prompt's words with their weight: `**bold**` important, `~~struck~~` dropped, else neutral. */
  tokens: ShortenToken[];
  /** The shortened prompts, longest first (five). */
  prompts: string[];
  /** `1`..`5` -> custom_id of the button that imagines it. */
  buttons: Record<string, string>;
}

const TOKENS_HEADING = /^#+\s*important tokens\s*$/im;
const PROMPTS_HEADING = /^#+\s*shortened prompts\s*$/im;

/** Splits the marked-up prompt into words with weights. */
export function parseTokens(markup: string): ShortenToken[] {
  const tokens: ShortenToken[] = [];
  const pattern = /\*\*([^*]+)\*\*|~~([^~]+)~~|([^\s*~]+)/g;
  for (const match of markup.matchAll(pattern)) {
    if (match[1] !== undefined) tokens.push({ text: match[1].trim(), weight: 'important' });
    else if (match[2] !== undefined) tokens.push({ text: match[2].trim(), weight: 'dropped' });
    else if (match[3] !== undefined) tokens.push({ text: match[3], weight: 'neutral' });
  }
  return tokens.filter((t) => t.text !== '' && t.text !== ',');
}

export function parseShortenAnswer(message: APIMessage): ShortenAnswer | undefined {
  const embed = message.embeds?.[0];
  const description = embed?.description;
  if (typeof description !== 'string' || embed?.title) return undefined;
  const promptsAt = description.search(PROMPTS_HEADING);
  if (promptsAt < 0) return undefined;
  const head = description.slice(0, promptsAt);
  const tail = description.slice(promptsAt).replace(PROMPTS_HEADING, '');
  const prompts = numberedItems(tail);
  if (prompts.length === 0) return undefined;
  const tokens = parseTokens(head.replace(TOKENS_HEADING, '').trim());
  return { tokens, prompts, buttons: numberedButtons(message, 'MJ::Job::PromptAnalyzer::') };
}
