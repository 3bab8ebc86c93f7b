/**
 * midjourney-proxy's names of the two bots (`botType` in a submit body and in a task's
 * `properties`): MID_JOURNEY and NIJI_JOURNEY.
 */
import type { BotType } from '../../midjourney/constants.js';

export const PROXY_BOTS: Readonly<Record<string, BotType>> = Object.freeze({
  MID_JOURNEY: 'midjourney',
  NIJI_JOURNEY: 'niji',
});

/** The refusal (code 4) of any other value. */
export const PROXY_BOT_PROBLEM = 'botType must be MID_JOURNEY or NIJI_JOURNEY';

/** The body field, as the submit routes document it. */
export const proxyBotSchema = {
  type: 'string',
  maxLength: 32,
  description: 'MID_JOURNEY (default) or NIJI_JOURNEY: the bot, as midjourney-proxy names them',
} as const;

/** A bot as midjourney-proxy names it. */
export function proxyBotName(botType: BotType | undefined): 'MID_JOURNEY' | 'NIJI_JOURNEY' {
  return botType === 'niji' ? 'NIJI_JOURNEY' : 'MID_JOURNEY';
}
