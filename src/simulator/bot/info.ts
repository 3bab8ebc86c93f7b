/**
 * `/info` as the simulated bot answers it: privately (flag 64, over the gateway only), one embed
 * titled "Your info - <username>" with `**Key**: value` lines (see /work/shared/MIDJOURNEY.md,
 * "Beyond /imagine" § 6). The numbers follow the bot's state: mode, running and queued jobs.
 */
import type { APIEmbed, APIUser } from '../../discord/types.js';
import type { AccountState, BotMode } from './types.js';

export interface InfoFacts {
  user: APIUser;
  mode: BotMode;
  accountState: AccountState;
  running: number;
  queuedFast: number;
  queuedRelax: number;
  /** Jobs this user ran so far. */
  jobs: number;
  stealth: boolean;
}

const MODE: Record<BotMode, string> = { fast: 'Fast', relaxed: 'Relaxed', turbo: 'Turbo' };

export function infoEmbed(facts: InfoFacts): APIEmbed {
  const fastLeft = facts.accountState === 'credits-exhausted' ? 0 : 30 - facts.jobs * 0.02;
  const percent = ((fastLeft / 30) * 100).toFixed(2);
  const lines = [
    `**User ID**: ${facts.user.id}`,
    '**Subscription**: Pro (Active monthly, renews next on <t:1767225600>)',
    `**Job Mode**: ${MODE[facts.mode]}`,
    `**Visibility Mode**: ${facts.stealth ? 'Stealth' : 'Public'}`,
    `**Fast Time Remaining**: ${fastLeft.toFixed(2)}/30.0 hours (${percent}%)`,
    `**Lifetime Usage**: ${facts.jobs} images (${(facts.jobs * 0.02).toFixed(2)} hours)`,
    '**Relaxed Usage**: 0 images (0.00 hours)',
    `**Queued Jobs (fast)**: ${facts.queuedFast}`,
    `**Queued Jobs (relax)**: ${facts.queuedRelax}`,
    `**Running Jobs**: ${facts.running === 0 ? 'None' : facts.running}`,
  ];
  return {
    type: 'rich',
    title: `Your info - ${facts.user.username}`,
    description: lines.join('\n'),
    color: 0,
  };
}
