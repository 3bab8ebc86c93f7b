/**
 * Facts about the Midjourney bot the worker relies on. They come from observing the real bot and
 * the public integrations (see /work/shared/MIDJOURNEY.md); ids and limits can change, so every
 * consumer takes them as overridable options rather than hard-coding them.
 */

import { MIDJOURNEY_APPLICATION_ID, NIJI_APPLICATION_ID } from '../config/index.js';
import type { Snowflake } from '../discord/types.js';

/**
 * The Midjourney Bot's and the niji・journey bot's application (and bot user) ids; the config
 * module owns the defaults. niji speaks the same protocol with an anime-tuned model.
 */
export { MIDJOURNEY_APPLICATION_ID, NIJI_APPLICATION_ID };

/** Which bot runs a job: Midjourney, or niji・journey (its own application and commands). */
export type BotType = 'midjourney' | 'niji';
export const BOT_TYPES: readonly BotType[] = Object.freeze(['midjourney', 'niji']);

/** Both bots speak the same message grammar; messages from either are parsed the same way. */
export const MIDJOURNEY_BOT_IDS: readonly Snowflake[] = Object.freeze([
  MIDJOURNEY_APPLICATION_ID,
  NIJI_APPLICATION_ID,
]);

/** The slash command that starts a generation, and its single string option. */
export const IMAGINE_COMMAND_NAME = 'imagine';
export const IMAGINE_PROMPT_OPTION = 'prompt';

/**
 * Embed colours the bot uses for notices. Titles decide the outcome; the colour is only a fallback
 * for a title nobody has catalogued yet.
 */
export const EmbedColor = Object.freeze({
  /** Red: the job was refused or failed. */
  Error: 16_711_680,
  /** Yellow: a warning such as "Job queued"; the job may still run. */
  Warning: 16_776_960,
} as const);

/**
 * The longest prompt the worker sends. Discord caps a string option at 6000 characters
 * (https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-structure);
 * Midjourney refuses longer prompts with "Invalid prompt" after spending an interaction.
 */
export const PROMPT_MAX_LENGTH = 6000;

/** How long a discovered command id/version is trusted before it is looked up again (1 h). */
export const COMMAND_FRESH_MS = 3_600_000;

/** How long a stale command is still served when the lookup fails (24 h). */
export const COMMAND_STALE_MS = 86_400_000;

/** Discord's JSON error code for a form body that failed validation. */
export const DISCORD_INVALID_FORM_BODY = 50_035;

/** The field error Discord returns when the command version we sent is no longer current. */
export const OUTDATED_COMMAND_ERROR = 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION';

/** Midjourney's job ids are UUIDs (v4 shape, lower-case hex). */
export const JOB_ID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * The pre-check's default banned words (MJ_PRECHECK=on): a short list of words Midjourney is
 * observed to refuse outright with "Banned prompt", not its full, unpublished and changing list.
 * MJ_BANNED_WORDS_FILE adds to it; Midjourney stays the judge of everything else.
 */
export const DEFAULT_BANNED_WORDS: readonly string[] = Object.freeze([
  'gore',
  'nsfw',
  'nude',
  'naked',
  'bloody',
  'torture',
  'xxx',
]);
