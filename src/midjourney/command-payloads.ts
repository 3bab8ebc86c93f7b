/**
 * The `POST /interactions` body of a slash command with any options, attachments included
 * (`/describe`, `/blend`, `/shorten`): an attachment option is `{type: 11, name, value: "<i>"}`
 * and points at `data.attachments[i] = {id: "<i>", filename, uploaded_filename}`, the name the
 * upload slot returned (../discord/rest/attachments.ts). See /work/shared/MIDJOURNEY.md, "Beyond
 * /imagine" § 1.
 */
import type {
  APIApplicationCommand,
  ApplicationCommandInteractionPayload,
  Snowflake,
} from '../discord/types.js';
import { ValidationError } from '../errors.js';
import { generateSnowflake, isSnowflake } from '../util/snowflake.js';

/** Discord's application command option types used here. */
export const OptionType = { Subcommand: 1, String: 3, Attachment: 11 } as const;

export interface UploadedAttachment {
  /** Its index in `data.attachments`, as a string ("0", "1", ...). */
  id: string;
  filename: string;
  /** `upload_filename` from the slot. */
  uploaded_filename: string;
}

export interface CommandOptionValue {
  type: number;
  name: string;
  /** Absent for a subcommand (`/prefer remix`: `{type: 1, name: 'remix', options: []}`). */
  value?: string;
  options?: CommandOptionValue[];
}

export interface CommandInteractionInput {
  guildId?: Snowflake;
  channelId: Snowflake;
  sessionId: string;
  /** The discovered command (id, version, name, options). */
  command: APIApplicationCommand;
  options: CommandOptionValue[];
  attachments?: UploadedAttachment[];
  nonce?: Snowflake;
}

export function buildCommandInteraction(
  input: CommandInteractionInput,
): ApplicationCommandInteractionPayload {
  const { command } = input;
  const problems: string[] = [];
  if (!command || !isSnowflake(command.id ?? '') || !isSnowflake(command.version ?? '')) {
    problems.push('command: needs the discovered command with id and version');
  }
  if (!isSnowflake(input.channelId ?? ''))
    problems.push(`channelId: not a snowflake (${String(input.channelId)})`);
  if (input.guildId !== undefined && !isSnowflake(input.guildId)) {
    problems.push(`guildId: not a snowflake (${input.guildId})`);
  }
  if (typeof input.sessionId !== 'string' || input.sessionId.trim() === '') {
    problems.push('sessionId: must not be empty');
  }
  const known = command?.options;
  for (const option of input.options) {
    if (known && !known.some((d) => d.name === option.name && d.type === option.type)) {
      problems.push(`options: /${command.name} has no option ${option.name} of type ${option.type}`);
    }
  }
  const missing = known?.find((d) => d.required && !input.options.some((o) => o.name === d.name));
  if (missing) problems.push(`options: ${missing.name} is required by /${command.name}`);
  const attachments = input.attachments ?? [];
  for (const option of input.options) {
    if (option.type === OptionType.Attachment && !attachments.some((a) => a.id === option.value)) {
      problems.push(`options: ${option.name} points at no attachment (${option.value})`);
    }
  }
  if (problems.length > 0) {
    throw new ValidationError(`Cannot build the /${command?.name ?? '?'} interaction`, problems);
  }
  const payload: ApplicationCommandInteractionPayload = {
    type: 2,
    application_id: command.application_id,
    channel_id: input.channelId,
    session_id: input.sessionId,
    nonce: input.nonce ?? generateSnowflake(),
    data: {
      version: command.version,
      id: command.id,
      name: command.name,
      type: command.type,
      options: input.options.map((o) => ({ ...o })),
      application_command: command,
      attachments: attachments.map((a) => ({ ...a })),
    },
  };
  if (input.guildId !== undefined) payload.guild_id = input.guildId;
  return payload;
}
