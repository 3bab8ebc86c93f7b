/** Reads the `custom_id` of a pressed button back into what the bot should do. */

export type ButtonAction =
  | { kind: 'upscale'; jobId: string; index: number }
  | { kind: 'variation'; jobId: string; index: number; strength: 'Strong' | 'Subtle'; solo: boolean }
  | { kind: 'reroll'; jobId: string }
  | { kind: 'upscale-enhance'; jobId: string; style: 'Subtle' | 'Creative' }
  | { kind: 'zoom'; jobId: string; percent: number }
  | { kind: 'pan'; jobId: string; direction: 'Left' | 'Right' | 'Up' | 'Down' }
  | { kind: 'appeal'; jobId: string }
  /** Buttons answered with a modal: Custom Zoom, Vary (Region) (an iframe), describe / shorten prompts. */
  | { kind: 'custom-zoom'; jobId: string }
  | { kind: 'inpaint'; jobId: string }
  | { kind: 'imagine-prompt'; source: 'describe' | 'shorten'; index: number }
  | { kind: 'captcha'; hash: string }
  | { kind: 'unsupported'; customId: string };

const UUID = '([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const capitalise = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

const PATTERNS: [RegExp, (m: RegExpExecArray) => ButtonAction][] = [
  [
    new RegExp(`^MJ::JOB::upsample::([1-4])::${UUID}$`),
    (m) => ({ kind: 'upscale', index: Number(m[1]), jobId: m[2]! }),
  ],
  [
    new RegExp(`^MJ::JOB::variation::([1-4])::${UUID}(?:::SOLO)?$`),
    (m) => ({ kind: 'variation', index: Number(m[1]), jobId: m[2]!, strength: 'Strong', solo: false }),
  ],
  [
    new RegExp(`^MJ::JOB::(high|low)_variation::1::${UUID}::SOLO$`),
    (m) => ({
      kind: 'variation',
      index: 1,
      jobId: m[2]!,
      strength: m[1] === 'high' ? 'Strong' : 'Subtle',
      solo: true,
    }),
  ],
  [new RegExp(`^MJ::JOB::reroll::0::${UUID}::SOLO$`), (m) => ({ kind: 'reroll', jobId: m[1]! })],
  [
    new RegExp(`^MJ::JOB::upsample_v\\d+_2x_(subtle|creative)::1::${UUID}::SOLO$`),
    (m) => ({ kind: 'upscale-enhance', jobId: m[2]!, style: m[1] === 'subtle' ? 'Subtle' : 'Creative' }),
  ],
  [
    new RegExp(`^MJ::Outpaint::(50|75)::1::${UUID}::SOLO$`),
    (m) => ({ kind: 'zoom', percent: Number(m[1]), jobId: m[2]! }),
  ],
  [
    new RegExp(`^MJ::JOB::pan_(left|right|up|down)::1::${UUID}::SOLO$`),
    (m) => ({ kind: 'pan', jobId: m[2]!, direction: capitalise(m[1]!) as 'Left' | 'Right' | 'Up' | 'Down' }),
  ],
  [new RegExp(`^MJ::Prompts::Appeal::${UUID}$`), (m) => ({ kind: 'appeal', jobId: m[1]! })],
  [new RegExp(`^MJ::CustomZoom::${UUID}$`), (m) => ({ kind: 'custom-zoom', jobId: m[1]! })],
  [new RegExp(`^MJ::Inpaint::1::${UUID}::SOLO$`), (m) => ({ kind: 'inpaint', jobId: m[1]! })],
  [
    /^MJ::Job::PicReader::([1-4])$/,
    (m) => ({ kind: 'imagine-prompt', source: 'describe', index: Number(m[1]) }),
  ],
  [
    /^MJ::Job::PromptAnalyzer::([1-5])$/,
    (m) => ({ kind: 'imagine-prompt', source: 'shorten', index: Number(m[1]) }),
  ],
  [/^MJ::(?:Captcha::\d+|iframe)::([\w-]+)$/, (m) => ({ kind: 'captcha', hash: m[1]! })],
];

export function parseCustomId(customId: string): ButtonAction {
  for (const [pattern, build] of PATTERNS) {
    const match = pattern.exec(customId);
    if (match) return build(match);
  }
  return { kind: 'unsupported', customId };
}
