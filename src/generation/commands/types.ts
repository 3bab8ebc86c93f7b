/**
 * The public shapes of `/describe`, `/blend` and `/shorten`: what the calls take and return.
 */
import type { Snowflake } from '../../discord/types.js';
import type { ImageInput } from '../../images/image-source.js';
import type { ShortenToken } from '../../midjourney/command-answers.js';
import type { BotType } from '../../midjourney/constants.js';
import type { AccountInfo } from '../../midjourney/info-answer.js';
import type { AccountSettings, SettingsChange } from '../../midjourney/settings-answer.js';
import type { GenerationResult } from '../types.js';

export type { ImageInput } from '../../images/image-source.js';
export type { ShortenToken, TokenWeight } from '../../midjourney/command-answers.js';
export type { AccountSettings, Privacy, SettingsChange, Speed } from '../../midjourney/settings-answer.js';

/** `/blend` dimensions: portrait `--ar 2:3`, square `--ar 1:1`, landscape `--ar 3:2`. */
export type BlendDimensions = 'portrait' | 'square' | 'landscape';

export const BLEND_DIMENSIONS: Readonly<Record<BlendDimensions, string>> = Object.freeze({
  portrait: '--ar 2:3',
  square: '--ar 1:1',
  landscape: '--ar 3:2',
});

export interface CommandOptions {
  /** Cancels: before sending nothing is sent; after, watching stops and the call rejects. */
  signal?: AbortSignal;
  /** Deadline from the call to the answer in ms. Default: the client's `jobTimeoutMs`. */
  timeoutMs?: number;
}

export interface DescribeOptions extends CommandOptions {
  /**
   * Which bot describes: `midjourney` (default) or `niji` (niji・journey's own `/describe`); only
   * that bot's messages are read as the answer, and its prompt buttons go back to it.
   */
  botType?: BotType;
}

export interface BlendOptions extends CommandOptions {
  /** Default `square`. */
  dimensions?: BlendDimensions;
  /**
   * Which bot blends: `midjourney` (default) or `niji` (niji・journey's own `/blend`); only that
   * bot's messages are read as the answer, and the grid's buttons go back to it.
   */
  botType?: BotType;
}

/** What an answered command has in common. */
export interface CommandAnswerBase {
  /** The bot's answer message (its buttons act on it). */
  messageId: Snowflake;
  channelId: Snowflake;
  /** The message's flags, sent back with a button press. */
  messageFlags: number;
  /** When the interaction was sent and the answer recognised (ms since epoch). */
  submittedAt: number;
  completedAt: number;
}

export interface DescribeResult extends CommandAnswerBase {
  kind: 'describe';
  /** The four prompts Midjourney wrote for the image. */
  prompts: string[];
  /** The image as Discord serves it after the upload. */
  imageUrl?: string;
  /** `1`..`4` and `all` -> custom_id of the button that imagines that prompt; `retry`. */
  buttons: Record<string, string>;
  /** The bot that answered (its buttons go back to it); `describe` always sets it. */
  botType?: BotType;
}

export interface ShortenResult extends CommandAnswerBase {
  kind: 'shorten';
  /** The prompt as given. */
  prompt: string;
  /** The prompt's words with the weight Midjourney gave them. */
  tokens: ShortenToken[];
  /** The shortened prompts, longest first (five). */
  prompts: string[];
  /** `1`..`5` -> custom_id of the button that imagines that prompt. */
  buttons: Record<string, string>;
}

/** Where `describe` or `blend` images come from; a list for blend (2–5). */
export type DescribeInput = ImageInput;

/** What a client that runs these commands offers (`Midjourney` does); the service checks for it. */
export interface CommandGenerator {
  describe(image: ImageInput, options?: DescribeOptions): Promise<DescribeResult>;
  blend(images: readonly ImageInput[], options?: BlendOptions): Promise<GenerationResult>;
  shorten(prompt: string, options?: CommandOptions): Promise<ShortenResult>;
  /** Uploads images and returns their CDN URLs (for image prompts). */
  hostImages(images: readonly ImageInput[], options?: CommandOptions): Promise<string[]>;
  /** `/info` (over the gateway). */
  info?(options?: CommandOptions): Promise<AccountInfo>;
  /** `/settings` read from its panel (over the gateway). */
  getSettings?(options?: CommandOptions): Promise<AccountSettings>;
  /** `/settings` changed on its panel (over the gateway). */
  changeSettings?(change: SettingsChange, options?: CommandOptions): Promise<AccountSettings>;
  /** `/prefer remix` (over the gateway): whether Remix mode is now on. */
  preferRemix?(options?: CommandOptions): Promise<boolean>;
  /** The seed of a finished result (✉️ reaction, then the DM of the result's bot). */
  seed(source: SeedSource, options?: CommandOptions): Promise<SeedResult>;
}

/**
 * The result whose seed is asked: its message and job id, and its bot (`botType`, default
 * Midjourney): the seed is read from the DM channel with that bot.
 */
export type SeedSource = Pick<GenerationResult, 'messageId' | 'channelId' | 'jobId' | 'botType'>;

export function isCommandGenerator(value: unknown): value is CommandGenerator {
  const v = value as Partial<Record<keyof CommandGenerator, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.describe === 'function' &&
    typeof v.blend === 'function' &&
    typeof v.shorten === 'function' &&
    typeof v.hostImages === 'function' &&
    typeof v.seed === 'function'
  );
}

/** What the ✉️ reaction revealed about a finished job. */
export interface SeedResult {
  /** Midjourney's job UUID. */
  jobId: string;
  /** The seed, as digits (up to 4294967295); reuse it with `--seed`. */
  seed: string;
  /** The DM message that carried it. */
  messageId: Snowflake;
  dmChannelId: Snowflake;
}
