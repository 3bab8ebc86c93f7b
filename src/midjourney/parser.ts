/**
 * Reads a Midjourney bot message into data: the echoed prompt, who it is for, the job's state and
 * progress, the job id, image URLs and the buttons. Pure: no I/O, no clock.
 */
import type { APIMessage, Snowflake } from '../discord/types.js';
import type { GenerationMode } from '../generation/types.js';

export type MessageState =
  | 'waiting'
  | 'progress'
  | 'stopped'
  | 'done'
  | 'upscale'
  | 'variation'
  | 'notice'
  | 'noise'
  | 'unknown';

export interface ParsedEmbed {
  title?: string;
  description?: string;
  color?: number;
  footer?: string;
  imageUrl?: string;
}

export interface ParsedMessage {
  messageId: Snowflake;
  channelId: Snowflake;
  authorId: Snowflake;
  /** Sent by the Midjourney or Niji bot. */
  fromMidjourney: boolean;
  /** The raw content. */
  content: string;
  /** The prompt as Midjourney echoed it, without the surrounding `**`. */
  prompt?: string;
  /** The user the message is for (the `<@id>` mention). */
  userId?: Snowflake;
  state: MessageState;
  /** 0–100 while in progress. */
  percent?: number;
  mode?: GenerationMode;
  stealth: boolean;
  /** For results of an action: what it was (`Image #2`, `Variations (Strong)`, `Zoom Out`...). */
  variant?: string;
  /** For `Image #n` upscales: n. */
  imageIndex?: number;
  /** Midjourney's job UUID, from the attachment filename or a button's custom_id. */
  jobId?: string;
  /** The grid or single image (first attachment), when finished. */
  imageUrl?: string;
  imageUrls: string[];
  /** The in-progress preview image. */
  previewUrl?: string;
  /** Buttons by action name (`U1`..`U4`, `V1`..`V4`, `reroll`, `vary-strong`, `zoom-2x`, `pan-left`...) -> custom_id. */
  actions: Record<string, string>;
  embeds: ParsedEmbed[];
  flags: number;
  /** Flag 64: visible to one user only (never returned by GET /messages). */
  ephemeral: boolean;
  /** The interaction nonce, when Discord echoed it (gateway MESSAGE_CREATE). */
  nonce?: string;
}

export function parseMessage(message: APIMessage): ParsedMessage {
  throw new Error(`parseMessage: not implemented yet (${message.id})`);
}
