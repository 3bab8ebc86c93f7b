/**
 * Reads a prompt the way the Midjourney bot does: splits text, links and `--parameters`,
 * validates them, and builds the echo the bot prints (links shortened to `s.mj.run`, whitespace
 * collapsed, parameter names lower-cased) and the slug used in filenames.
 */

import { checkParameter, isDroppable, isKnownParameter } from './parameters.js';
import { shortCode } from './random.js';
import type { BotMode, JobOutcome } from './types.js';

export interface PromptParameter {
  name: string;
  value: string;
}

export interface ParsedPrompt {
  raw: string;
  /** The descriptive text, without parameters (links included). */
  text: string;
  links: string[];
  parameters: PromptParameter[];
  /** The prompt as the bot echoes it between `**`. */
  echo: string;
  /** Lower-case words joined by `_`, for the `<user>_<slug>_<uuid>.png` filename. */
  slug: string;
  /** `--fast`, `--relax` or `--turbo` in the prompt. */
  mode?: BotMode;
}

/** Why the bot refuses a prompt before starting it. */
export interface PromptProblem {
  outcome: Extract<
    JobOutcome,
    'empty-prompt' | 'invalid-prompt' | 'invalid-parameter' | 'unrecognized-parameter' | 'invalid-link'
  >;
  description: string;
}

const MAX_PROMPT_LENGTH = 6_000;
const LINK = /^<?([a-z][a-z0-9+.-]*:\/\/\S+?)>?$/i;

export interface EchoOptions {
  /** Appended to the echo, like parameters added from /settings. Default ''. */
  suffix?: string;
  /** Leave default-valued parameters and mode switches out of the echo. Default false. */
  dropDefaults?: boolean;
}

export function parsePrompt(raw: string, echo: EchoOptions = {}): ParsedPrompt {
  // Phones turn `--` into an em dash; Midjourney accepts both.
  const normalised = raw.replace(/(^|\s)[\u2014\u2013](?=[a-z])/gi, '$1--').trim();
  const start = normalised.search(/(^|\s)--[a-z]/i);
  const textPart = start < 0 ? normalised : normalised.slice(0, start);
  const paramPart = start < 0 ? '' : normalised.slice(start);

  const words = textPart.split(/\s+/).filter(Boolean);
  const links: string[] = [];
  const echoWords = words.map((word) => {
    const link = LINK.exec(word)?.[1];
    if (link === undefined) return word;
    links.push(link);
    return `<https://s.mj.run/${shortCode(link)}>`;
  });

  const parameters: PromptParameter[] = [];
  for (const chunk of paramPart.split(/(?:^|\s)--(?=[a-z])/i)) {
    const trimmed = chunk.trim();
    if (trimmed === '') continue;
    const [name = '', ...rest] = trimmed.split(/\s+/);
    parameters.push({ name: name.toLowerCase(), value: rest.join(' ') });
  }

  const echoParams = parameters
    .filter((p) => !(echo.dropDefaults && isDroppable(p.name, p.value)))
    .map((p) => (p.value === '' ? `--${p.name}` : `--${p.name} ${p.value}`));
  const echoed = [...echoWords, ...echoParams].join(' ') + (echo.suffix ?? '');
  const slug =
    words
      .filter((word) => !LINK.test(word))
      .join(' ')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40)
      .replace(/_+$/, '') || 'image';

  const modeFlag = [...parameters].reverse().find((p) => ['fast', 'relax', 'turbo'].includes(p.name))?.name;
  const parsed: ParsedPrompt = { raw, text: words.join(' '), links, parameters, echo: echoed.trim(), slug };
  if (modeFlag !== undefined) parsed.mode = modeFlag === 'relax' ? 'relaxed' : (modeFlag as BotMode);
  return parsed;
}

/** The first reason the bot would refuse this prompt, in the order Midjourney checks. */
export function validatePrompt(prompt: ParsedPrompt): PromptProblem | undefined {
  if (prompt.raw.trim() === '') {
    return { outcome: 'empty-prompt', description: 'Your prompt is empty. Describe what you want to see.' };
  }
  if (prompt.raw.length > MAX_PROMPT_LENGTH) {
    return {
      outcome: 'invalid-prompt',
      description: `Your prompt is too long (${prompt.raw.length} characters, the limit is ${MAX_PROMPT_LENGTH}).`,
    };
  }
  const unknown = prompt.parameters.filter((p) => !isKnownParameter(p.name));
  if (unknown.length > 0) {
    return {
      outcome: 'unrecognized-parameter',
      description: `Unrecognized parameter(s): ${unknown.map((p) => `\`--${p.name}\``).join(', ')}`,
    };
  }
  for (const { name, value } of prompt.parameters) {
    const reason = checkParameter(name, value);
    if (reason !== undefined) {
      const shown = value === '' ? '' : ` \`${value}\``;
      return {
        outcome: 'invalid-parameter',
        description: `Invalid value${shown} for parameter \`--${name}\`: ${reason}`,
      };
    }
  }
  for (const link of prompt.links) {
    if (!isUsableLink(link)) {
      return {
        outcome: 'invalid-link',
        description: `The link \`${link}\` is not a valid image URL. Image prompts must be publicly reachable http(s) links.`,
      };
    }
  }
  const words = prompt.text.split(' ').filter((word) => word !== '' && !LINK.test(word));
  if (words.length === 0 && prompt.links.length < 2) {
    return {
      outcome: 'invalid-prompt',
      description: 'An image prompt needs some text or a second image after the link.',
    };
  }
  return undefined;
}

function isUsableLink(link: string): boolean {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return false;
  }
  const host = url.hostname;
  // `.invalid` is reserved (RFC 2606): a deterministic way for tests to provoke "Invalid link".
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    host.includes('.') &&
    host !== 'invalid' &&
    !host.endsWith('.invalid')
  );
}

/** The first banned word present as a whole word (case-insensitive), if any. */
export function findBannedWord(prompt: string, bannedWords: readonly string[]): string | undefined {
  const lower = prompt.toLowerCase();
  return bannedWords.find((word) => {
    const escaped = word.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^a-z0-9])${escaped}($|[^a-z0-9])`).test(lower);
  });
}
