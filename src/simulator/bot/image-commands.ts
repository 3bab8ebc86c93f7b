/**
 * What the simulated bot answers to `/describe` and `/shorten` (see /work/shared/MIDJOURNEY.md,
 * "Beyond /imagine" § 2 and § 4). Both answer the interaction with a first message (nonce and
 * interaction metadata, empty while "thinking"), then edit it (MESSAGE_UPDATE) with one embed:
 *  - describe: four prompts `1️⃣ …` … `4️⃣ …` joined by blank lines, `image.url` the uploaded
 *    image; buttons `MJ::Job::PicReader::1..4`, `MJ::Picread::Retry` and `MJ::Job::PicReader::all`;
 *  - shorten: `## Important tokens` (the prompt with **kept**, plain and ~~dropped~~ words), then
 *    `## Shortened prompts` with five prompts, the footer "Click on a button to imagine one of the
 *    shortened prompts", buttons `MJ::Job::PromptAnalyzer::1..5` and "Show Details".
 * The texts are deterministic functions of the input, so tests can assert them.
 */
import {
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  ButtonStyle,
  ComponentType,
} from '../../discord/types.js';

export const NUMBER_EMOJI = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣'] as const;
/** Midjourney's embed colour for describe / shorten answers (a neutral grey-blue). */
const ANSWER_COLOR = 3_092_790;

const SUBJECTS = [
  'a lighthouse',
  'a red fox',
  'a quiet harbour',
  'an old library',
  'a glass teapot',
  'a mountain road',
];
const STYLES = [
  'in the style of soft watercolor',
  'cinematic lighting',
  'muted pastel tones',
  'highly detailed ink drawing',
];
const MOODS = ['at dusk', 'in morning fog', 'under neon rain', 'on a summer afternoon'];

function hash(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619) >>> 0;
  return h;
}

/** The four prompts describe gives for an image (by its name and size). */
export function describePrompts(filename: string, size: number): string[] {
  const h = hash(`${filename}:${size}`);
  return [0, 1, 2, 3].map((i) => {
    const subject = SUBJECTS[(h + i * 7) % SUBJECTS.length]!;
    const style = STYLES[(h >>> 3) % STYLES.length]!;
    const mood = MOODS[(h + i) % MOODS.length]!;
    return `${subject} ${mood}, ${style} --ar 1:1`;
  });
}

export function describeEmbed(prompts: readonly string[], imageUrl: string): APIEmbed {
  return {
    type: 'rich',
    description: prompts.map((p, i) => `${NUMBER_EMOJI[i]} ${p}`).join('\n\n'),
    color: ANSWER_COLOR,
    image: { url: imageUrl },
  };
}

function button(custom_id: string, label: string, style: number = ButtonStyle.Secondary): APIButtonComponent {
  return { type: ComponentType.Button, style, custom_id, label };
}

export function describeComponents(): APIActionRowComponent[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [1, 2, 3, 4].map((i) => button(`MJ::Job::PicReader::${i}`, String(i))),
    },
    {
      type: ComponentType.ActionRow,
      components: [
        button('MJ::Picread::Retry', '🔄'),
        button('MJ::Job::PicReader::all', '🎉 Imagine all', ButtonStyle.Primary),
      ],
    },
  ];
}

/** Words that carry little: struck through in "Important tokens", dropped from short prompts. */
const FILLER = new Set([
  'a',
  'an',
  'the',
  'of',
  'in',
  'on',
  'at',
  'with',
  'and',
  'style',
  'very',
  'by',
  'for',
  'to',
]);

export interface ShortenAnswer {
  /** The prompt with `**kept**`, plain and `~~dropped~~` words. */
  tokens: string;
  /** Five prompts, longest first. */
  prompts: string[];
}

export function shortenPrompt(prompt: string): ShortenAnswer {
  const words = prompt
    .replace(/\s+--\S+(\s+[^-\s]\S*)?/g, '')
    .split(/\s+/)
    .filter((w) => w !== '');
  const marked = words.map((word, i) => {
    const bare = word.replace(/[^\p{L}\p{N}'-]/gu, '').toLowerCase();
    if (bare === '' || FILLER.has(bare)) return { word, bare, mark: 'dropped' as const };
    return { word, bare, mark: i % 3 === 2 ? ('plain' as const) : ('kept' as const) };
  });
  const tokens = marked
    .map(({ word, mark }) => (mark === 'kept' ? `**${word}**` : mark === 'dropped' ? `~~${word}~~` : word))
    .join(' ');
  const kept = marked.filter((m) => m.mark !== 'dropped').map((m) => m.bare);
  const strong = marked.filter((m) => m.mark === 'kept').map((m) => m.bare);
  const base = kept.length > 0 ? kept : words;
  const prompts = [
    base.join(', '),
    base.slice(0, Math.max(1, Math.ceil(base.length * 0.75))).join(', '),
    (strong.length > 0 ? strong : base).join(', '),
    (strong.length > 0 ? strong : base).slice(0, Math.max(1, Math.ceil(strong.length / 2))).join(', '),
    (strong[0] ?? base[0] ?? prompt).toString(),
  ];
  return { tokens, prompts };
}

export function shortenEmbed(answer: ShortenAnswer): APIEmbed {
  const list = answer.prompts.map((p, i) => `${NUMBER_EMOJI[i]} ${p}`).join('\n\n');
  return {
    type: 'rich',
    description: `## Important tokens\n${answer.tokens}\n## Shortened prompts\n${list}`,
    color: ANSWER_COLOR,
    footer: { text: 'Click on a button to imagine one of the shortened prompts' },
  };
}

export function shortenComponents(): APIActionRowComponent[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [1, 2, 3, 4, 5].map((i) => button(`MJ::Job::PromptAnalyzer::${i}`, String(i))),
    },
    {
      type: ComponentType.ActionRow,
      components: [button('MJ::PromptAnalyzerExtended', 'Show Details')],
    },
  ];
}

/** `/blend` dimensions as the command takes them. */
export const BLEND_DIMENSIONS: Readonly<Record<string, string>> = Object.freeze({
  '--ar 2:3': 'portrait',
  '--ar 1:1': 'square',
  '--ar 3:2': 'landscape',
});
