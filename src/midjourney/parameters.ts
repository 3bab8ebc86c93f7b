/**
 * Midjourney's prompt parameters (`--ar 3:2 --v 6.1 --no trees`): splitting a prompt into its text
 * and its parameters, and the table of parameters Midjourney knows, with their value syntax. Used
 * by the local pre-check and by prompt normalisation.
 * https://docs.midjourney.com/docs/parameter-list
 */

export type ParameterValue =
  /** No value (`--tile`). */
  | 'flag'
  /** An optional value (`--niji` or `--niji 6`, `--p` or `--p abc123`). */
  | 'optional'
  /** `w:h` with positive integers. */
  | 'ratio'
  /** A number in [min, max]. */
  | 'number'
  /** Free text up to the next parameter (`--no trees, cars`, `--sref <url> <url>`). */
  | 'text';

export interface ParameterSpec {
  /** The canonical name, without dashes (`ar`). */
  name: string;
  aliases?: readonly string[];
  value: ParameterValue;
  min?: number;
  max?: number;
  /** Values Midjourney may leave out of the echo because they are its defaults. */
  defaults?: readonly string[];
}

// Ranges are deliberately generous: Midjourney widens them between versions, and the pre-check must
// never refuse what Midjourney would accept.
export const PARAMETER_SPECS: readonly ParameterSpec[] = [
  { name: 'ar', aliases: ['aspect'], value: 'ratio', defaults: ['1:1'] },
  { name: 'c', aliases: ['chaos'], value: 'number', min: 0, max: 100, defaults: ['0'] },
  { name: 'q', aliases: ['quality'], value: 'number', min: 0.25, max: 4, defaults: ['1'] },
  { name: 's', aliases: ['stylize'], value: 'number', min: 0, max: 1000, defaults: ['100'] },
  { name: 'w', aliases: ['weird'], value: 'number', min: 0, max: 3000, defaults: ['0'] },
  { name: 'v', aliases: ['version'], value: 'number', min: 1, max: 10 },
  { name: 'seed', aliases: ['sameseed'], value: 'number', min: 0, max: 4_294_967_295 },
  { name: 'stop', value: 'number', min: 10, max: 100, defaults: ['100'] },
  { name: 'r', aliases: ['repeat'], value: 'number', min: 1, max: 40, defaults: ['1'] },
  { name: 'iw', value: 'number', min: 0, max: 3, defaults: ['1'] },
  { name: 'cw', value: 'number', min: 0, max: 100, defaults: ['100'] },
  { name: 'sw', value: 'number', min: 0, max: 1000, defaults: ['100'] },
  { name: 'sv', value: 'number', min: 1, max: 10 },
  { name: 'ow', value: 'number', min: 1, max: 1000, defaults: ['100'] },
  { name: 'exp', value: 'number', min: 0, max: 100, defaults: ['0'] },
  { name: 'niji', value: 'optional' },
  { name: 'p', aliases: ['personalize', 'profile'], value: 'optional' },
  { name: 'style', value: 'text' },
  { name: 'no', value: 'text' },
  { name: 'sref', value: 'text' },
  { name: 'cref', value: 'text' },
  { name: 'oref', value: 'text' },
  { name: 'tile', value: 'flag' },
  { name: 'raw', value: 'flag' },
  { name: 'draft', value: 'flag' },
  { name: 'video', value: 'flag' },
  { name: 'fast', value: 'flag' },
  { name: 'relax', value: 'flag' },
  { name: 'turbo', value: 'flag' },
  { name: 'stealth', value: 'flag' },
  { name: 'public', value: 'flag' },
  { name: 'hd', value: 'flag' },
  { name: 'test', value: 'flag' },
  { name: 'testp', value: 'flag' },
  { name: 'creative', value: 'flag' },
  { name: 'uplight', value: 'flag' },
  { name: 'upbeta', value: 'flag' },
];

const BY_NAME = new Map<string, ParameterSpec>();
for (const spec of PARAMETER_SPECS) {
  BY_NAME.set(spec.name, spec);
  for (const alias of spec.aliases ?? []) BY_NAME.set(alias, spec);
}

/** The spec for a name or alias (without dashes, any case), or undefined for an unknown parameter. */
export function parameterSpec(name: string): ParameterSpec | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export interface PromptParameter {
  /** As written, without dashes, lower-cased (`aspect`). */
  name: string;
  /** Everything up to the next parameter, trimmed; '' when none. */
  value: string;
}

export interface SplitPrompt {
  /** The prompt text before the first parameter, trimmed. */
  text: string;
  parameters: PromptParameter[];
}

// A parameter starts with `--` (or the em dash phones and macOS substitute for it) after whitespace
// or at the start, and is followed by a letter: `--ar`, `—v`. `a--b` or `-- ` are not parameters.
const PARAMETER_START = /(?:^|\s)(?:--|\u2014)(?=[a-z])/gi;

export function splitPrompt(prompt: string): SplitPrompt {
  const starts = [...prompt.matchAll(PARAMETER_START)].map((m) => m.index + m[0].length);
  if (starts.length === 0) return { text: prompt.trim(), parameters: [] };
  const text = prompt
    .slice(0, starts[0])
    .replace(/(?:--|\u2014)$/, '')
    .trim();
  const parameters = starts.map((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]! : prompt.length;
    const chunk = prompt
      .slice(start, end)
      .replace(/(?:--|\u2014)$/, '')
      .trim();
    const space = chunk.search(/\s/);
    return space < 0
      ? { name: chunk.toLowerCase(), value: '' }
      : { name: chunk.slice(0, space).toLowerCase(), value: chunk.slice(space + 1).trim() };
  });
  return { text, parameters };
}

/** Why a parameter's value is malformed, or undefined when it is fine. */
export function checkParameterValue(spec: ParameterSpec, value: string): string | undefined {
  switch (spec.value) {
    case 'flag':
      return value === '' ? undefined : `takes no value, got \`${value}\``;
    case 'optional':
      return undefined;
    case 'text':
      return value === '' ? 'needs a value' : undefined;
    case 'ratio': {
      if (value === '') return 'needs a value such as `3:2`';
      const ratio = /^(\d+):(\d+)$/.exec(value);
      if (!ratio || Number(ratio[1]) === 0 || Number(ratio[2]) === 0) {
        return `expects \`w:h\` with positive whole numbers, got \`${value}\``;
      }
      return undefined;
    }
    case 'number': {
      if (value === '') return 'needs a number';
      if (!/^\d+(?:\.\d+)?$|^\.\d+$/.test(value)) return `expects a number, got \`${value}\``;
      const n = Number(value);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        return `must be between ${spec.min} and ${spec.max}, got \`${value}\``;
      }
      return undefined;
    }
  }
}

/**
 * The offending parameter in an invalid-request notice: "Unrecognized parameter(s): `--foo`",
 * "Invalid value provided for argument **ar**", "Invalid aspect ratio".
 */
export function extractParameter(notice: string): string | undefined {
  const dashed = /(?:^|[\s`'"(])(?:--|\u2014)([a-z][\w-]*)/i.exec(notice)?.[1];
  if (dashed !== undefined) return `--${dashed.toLowerCase()}`;
  const named = /(?:argument|parameter)s?(?:\(s\))?[:\s]+(?:\*\*|`)([a-z][\w-]*)(?:\*\*|`)/i.exec(
    notice,
  )?.[1];
  if (named !== undefined) return `--${named.toLowerCase()}`;
  if (/aspect ratio/i.test(notice)) return '--ar';
  return undefined;
}
