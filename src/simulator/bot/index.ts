export type { EvidenceOptions, MessageEvidence } from './evidence.js';
export { DEFAULT_EVIDENCE } from './evidence.js';
export type { MidjourneyBot } from './midjourney-bot.js';
export { createMidjourneyBot } from './midjourney-bot.js';
export type { MidjourneyBotFaults, MidjourneyBotInput, MidjourneyBotOptions } from './options.js';
export { BotOptionsError, DEFAULT_MIDJOURNEY_BOT_OPTIONS, resolveBotOptions } from './options.js';
export { isSeedEmoji, SEED_EMOJI, seedContent, seedOf } from './seed.js';
export type {
  AccountState,
  BotMode,
  JobOutcome,
  ScriptRule,
  SimBotType,
  SimJobKind,
  SimJobRecord,
  SimJobState,
} from './types.js';
export { ACCOUNT_STATES, JOB_OUTCOMES } from './types.js';
