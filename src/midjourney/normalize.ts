/**
 * Prompt normalisation for correlation. Midjourney echoes a prompt changed: links rewritten to
 * `<https://s.mj.run/...>`, whitespace collapsed, `—` turned back into `--`, parameters from the
 * user's settings appended and default values dropped. Both sides are brought to one canonical
 * form so a user's prompt and its echo compare equal, without ever adding markers to the prompt.
 */
import { parameterSpec, splitPrompt } from './parameters.js';

/** What every link becomes: the echo holds a shortened s.mj.run link, not the user's URL. */
const LINK = '<link>';
const URL_PATTERN = /<?https?:\/\/[^\s<>]+>?/gi;

// Mode and visibility switches: Midjourney applies them and may leave them out of the echo.
const OPTIONAL_IN_ECHO = new Set(['fast', 'relax', 'turbo', 'stealth', 'public']);

interface CanonicalPrompt {
  text: string;
  /** Canonical parameter name -> canonical value. */
  parameters: Map<string, string>;
}

function canonicalText(text: string): string {
  return (
    text
      .replace(URL_PATTERN, LINK)
      // Discord markdown escapes (`\_`, `\*`) are not part of the prompt.
      .replace(/\\([*_~`|\\])/g, '$1')
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase()
  );
}

function canonicalValue(name: string, value: string): string {
  const text = canonicalText(value);
  // `--v 6.0` and `--v 6` mean the same; `--q .5` and `--q 0.5` too.
  if (/^\d*\.?\d+$/.test(text)) return String(Number(text));
  if (name === 'no') return text.split(/\s*,\s*/).join(', ');
  return text;
}

function canonical(prompt: string): CanonicalPrompt {
  const stripped = prompt.trim().replace(/^\*\*([\s\S]*)\*\*$/, '$1');
  const { text, parameters } = splitPrompt(stripped);
  const map = new Map<string, string>();
  for (const p of parameters) {
    const name = parameterSpec(p.name)?.name ?? p.name;
    map.set(name, canonicalValue(name, p.value));
  }
  return { text: canonicalText(text), parameters: map };
}

/**
 * A canonical form of a prompt: text lower-cased with links replaced and whitespace collapsed, then
 * the parameters by canonical name (`--aspect` -> `--ar`) in alphabetical order.
 */
export function normalizePrompt(text: string): string {
  const { text: body, parameters } = canonical(text);
  const params = [...parameters.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => (value === '' ? `--${name}` : `--${name} ${value}`));
  return [body, ...params].filter((part) => part !== '').join(' ');
}

/**
 * Whether `echoed` (as Midjourney printed it) is the echo of `userPrompt`: same text, and every
 * parameter the user gave is in the echo with the same value, except default values and mode
 * switches, which Midjourney may drop. Extra parameters in the echo (appended from the user's
 * settings or suffix) are allowed.
 */
export function promptsMatch(userPrompt: string, echoed: string): boolean {
  const user = canonical(userPrompt);
  const echo = canonical(echoed);
  if (user.text !== echo.text) return false;
  for (const [name, value] of user.parameters) {
    const echoedValue = echo.parameters.get(name);
    if (echoedValue === value) continue;
    if (echoedValue !== undefined) return false;
    if (OPTIONAL_IN_ECHO.has(name)) continue;
    const defaults = parameterSpec(name)?.defaults?.map((d) => canonicalValue(name, d)) ?? [];
    if (!defaults.includes(value)) return false;
  }
  return true;
}
