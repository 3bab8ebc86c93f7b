/**
 * The interaction bodies `POST /interactions` takes for a slash command (type 2) and a button
 * press (type 3), shaped the way the Discord client sends them.
 */
import { randomBytes } from 'node:crypto';
import type {
  APIApplicationCommand,
  ApplicationCommandInteractionPayload,
  MessageComponentInteractionPayload,
  Snowflake,
} from '../discord/types.js';

export interface ImagineInteractionInput {
  /** Defaults to the command's application_id. */
  applicationId?: Snowflake;
  /** Omitted for a DM channel. */
  guildId?: Snowflake;
  channelId: Snowflake;
  /** The gateway session id, or `randomSessionId()` for REST-only clients. */
  sessionId: string;
  /** The discovered command (id, version, name). */
  command: APIApplicationCommand;
  prompt: string;
  /** Defaults to a fresh snowflake. */
  nonce?: Snowflake;
}

export interface ComponentInteractionInput {
  applicationId: Snowflake;
  guildId?: Snowflake;
  channelId: Snowflake;
  sessionId: string;
  /** The message carrying the button. */
  messageId: Snowflake;
  /** That message's flags, sent back as Discord's client does. */
  messageFlags: number;
  customId: string;
  nonce?: Snowflake;
}

export function buildImagineInteraction(
  input: ImagineInteractionInput,
): ApplicationCommandInteractionPayload {
  throw new Error(`buildImagineInteraction: not implemented yet (${input.channelId})`);
}

export function buildComponentInteraction(
  input: ComponentInteractionInput,
): MessageComponentInteractionPayload {
  throw new Error(`buildComponentInteraction: not implemented yet (${input.channelId})`);
}

/** A random 32-hex-digit session id, as REST-only clients send. */
export function randomSessionId(): string {
  return randomBytes(16).toString('hex');
}
