/**
 * The interaction bodies `POST /interactions` takes for a slash command (type 2) and a button
 * press (type 3), shaped the way Discord's own client sends them (see /work/shared/MIDJOURNEY.md).
 */
import { randomBytes } from 'node:crypto';
import {
  type APIApplicationCommand,
  type ApplicationCommandInteractionPayload,
  ApplicationCommandOptionType,
  ComponentType,
  InteractionType,
  type MessageComponentInteractionPayload,
  type Snowflake,
} from '../discord/types.js';
import { ValidationError } from '../errors.js';
import { generateSnowflake, isSnowflake } from '../util/snowflake.js';
import { IMAGINE_PROMPT_OPTION } from './constants.js';

export interface ImagineInteractionInput {
  /** Defaults to the command's application_id; must equal it when given. */
  applicationId?: Snowflake;
  /** Omitted for a DM channel. */
  guildId?: Snowflake;
  channelId: Snowflake;
  /** The gateway session id, or `randomSessionId()` for REST-only clients. */
  sessionId: string;
  /** The discovered command (id, version, name, options). */
  command: APIApplicationCommand;
  prompt: string;
  /** Defaults to a fresh snowflake. */
  nonce?: Snowflake;
}

export interface ComponentInteractionInput {
  applicationId: Snowflake;
  /** Omitted for a DM channel. */
  guildId?: Snowflake;
  channelId: Snowflake;
  sessionId: string;
  /** The message carrying the button. */
  messageId: Snowflake;
  /** That message's flags, sent back as Discord's client does. */
  messageFlags: number;
  customId: string;
  /** Defaults to a fresh snowflake. */
  nonce?: Snowflake;
  /** A select menu (`/settings`' version): the options chosen; the component is then type 3. */
  values?: string[];
}

/** The `/imagine` (or any single-string-option command) interaction. */
export function buildImagineInteraction(
  input: ImagineInteractionInput,
): ApplicationCommandInteractionPayload {
  const { command } = input;
  const applicationId = input.applicationId ?? command?.application_id;
  const problems = commonProblems({ ...input, applicationId });
  if (!command || typeof command.id !== 'string' || typeof command.version !== 'string') {
    problems.push('command: needs the discovered command with id and version');
  } else if (input.applicationId !== undefined && input.applicationId !== command.application_id) {
    problems.push(
      `applicationId: ${input.applicationId} is not the command's application ${command.application_id}`,
    );
  }
  if (typeof input.prompt !== 'string' || input.prompt.trim() === '')
    problems.push('prompt: must not be empty');
  if (problems.length > 0) throw new ValidationError('Cannot build the /imagine interaction', problems);

  // The string option Discord expects: `prompt` on /imagine, the first string option otherwise.
  const option =
    command.options?.find((o) => o.name === IMAGINE_PROMPT_OPTION) ??
    command.options?.find((o) => o.type === ApplicationCommandOptionType.String);
  const payload: ApplicationCommandInteractionPayload = {
    type: InteractionType.ApplicationCommand,
    application_id: applicationId!,
    channel_id: input.channelId,
    session_id: input.sessionId,
    nonce: input.nonce ?? generateSnowflake(),
    data: {
      version: command.version,
      id: command.id,
      name: command.name,
      type: command.type,
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: option?.name ?? IMAGINE_PROMPT_OPTION,
          value: input.prompt,
        },
      ],
      application_command: command,
      attachments: [],
    },
  };
  if (input.guildId !== undefined) payload.guild_id = input.guildId;
  return payload;
}

/** A button press on a bot message (U1, V2, reroll, ...). */
export function buildComponentInteraction(
  input: ComponentInteractionInput,
): MessageComponentInteractionPayload {
  const problems = commonProblems(input);
  if (typeof input.messageId !== 'string' || !isSnowflake(input.messageId)) {
    problems.push(`messageId: not a snowflake (${String(input.messageId)})`);
  }
  if (!Number.isInteger(input.messageFlags) || input.messageFlags < 0) {
    problems.push(`messageFlags: must be a non-negative integer, got ${String(input.messageFlags)}`);
  }
  if (typeof input.customId !== 'string' || input.customId === '' || input.customId.length > 100) {
    problems.push('customId: must be 1-100 characters');
  }
  if (problems.length > 0) throw new ValidationError('Cannot build the button interaction', problems);
  const payload: MessageComponentInteractionPayload = {
    type: InteractionType.MessageComponent,
    application_id: input.applicationId,
    channel_id: input.channelId,
    message_id: input.messageId,
    message_flags: input.messageFlags,
    session_id: input.sessionId,
    nonce: input.nonce ?? generateSnowflake(),
    data:
      input.values === undefined
        ? { component_type: ComponentType.Button, custom_id: input.customId }
        : { component_type: 3, custom_id: input.customId, values: [...input.values] },
  };
  if (input.guildId !== undefined) payload.guild_id = input.guildId;
  return payload;
}

function commonProblems(input: {
  applicationId?: Snowflake | undefined;
  guildId?: Snowflake | undefined;
  channelId: Snowflake;
  sessionId: string;
  nonce?: Snowflake | undefined;
}): string[] {
  const problems: string[] = [];
  const snowflake = (field: string, value: unknown, optional = false): void => {
    if (optional && value === undefined) return;
    if (typeof value !== 'string' || !isSnowflake(value))
      problems.push(`${field}: not a snowflake (${String(value)})`);
  };
  snowflake('applicationId', input.applicationId);
  snowflake('guildId', input.guildId, true);
  snowflake('channelId', input.channelId);
  snowflake('nonce', input.nonce, true);
  if (typeof input.sessionId !== 'string' || input.sessionId.trim() === '') {
    problems.push('sessionId: must not be empty');
  }
  return problems;
}

/** A random 32-hex-digit session id, as REST-only clients send. */
export function randomSessionId(): string {
  return randomBytes(16).toString('hex');
}
