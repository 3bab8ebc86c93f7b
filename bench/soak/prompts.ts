/**
 * The soak's prompts: each carries a unique correlation token (`mjs000042q`, fixed width so no
 * token is a substring of another) that the simulator's record is matched on, and maybe a marker
 * word that a script rule turns into a moderation or failure outcome.
 */
import type { JobOutcome, ScriptRule } from '../../src/simulator/index.js';
import type { Random } from '../../src/util/clock.js';

/** The outcomes mixed into the prompts, by marker word and share; the rest succeed. */
export const OUTCOME_MIX: readonly { marker: string; outcome: JobOutcome; share: number }[] = [
  { marker: 'zqpremod', outcome: 'pre-moderation', share: 0.05 },
  { marker: 'zqpostmod', outcome: 'post-moderation', share: 0.03 },
  { marker: 'zqephemod', outcome: 'ephemeral-moderation', share: 0.02 },
  { marker: 'zqinvparam', outcome: 'invalid-parameter', share: 0.03 },
  { marker: 'zqfailed', outcome: 'failed-text', share: 0.02 },
  { marker: 'zqfilter', outcome: 'output-filter', share: 0.02 },
  { marker: 'zqqueuefull', outcome: 'queue-full', share: 0.01 },
  { marker: 'zqsilent', outcome: 'never-answer', share: 0.01 },
];

const SUBJECTS = [
  'a lighthouse at dusk',
  'a fox in the snow',
  'an old harbour',
  'a glass teapot',
  'a red kite',
];

const TOKEN = /mjs\d{6}q/g;

export interface SoakPrompt {
  /** The correlation token, also the batch prompt id. */
  token: string;
  prompt: string;
  /** The outcome a script rule asks for; `success` when none. */
  scripted: JobOutcome;
}

export function tokenFor(index: number): string {
  return `mjs${String(index).padStart(6, '0')}q`;
}

/** Every token found in a text (a prompt, an echo). */
export function tokensIn(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function buildPrompts(count: number, random: Random): SoakPrompt[] {
  const prompts: SoakPrompt[] = [];
  for (let i = 0; i < count; i += 1) {
    const token = tokenFor(i);
    let roll = random();
    let scripted: JobOutcome = 'success';
    let marker = '';
    for (const mix of OUTCOME_MIX) {
      if (roll < mix.share) {
        scripted = mix.outcome;
        marker = ` ${mix.marker}`;
        break;
      }
      roll -= mix.share;
    }
    const subject = SUBJECTS[i % SUBJECTS.length] ?? 'a lighthouse';
    prompts.push({ token, prompt: `${token} ${subject}${marker}, watercolour`, scripted });
  }
  return prompts;
}

/** The bot's script rules that give the marked prompts their outcomes. */
export function scriptRules(): ScriptRule[] {
  return OUTCOME_MIX.map(({ marker, outcome }) => ({ match: marker, outcome }));
}
