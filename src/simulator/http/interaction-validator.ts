/**
 * `POST /interactions` validation, in Discord's order: the form first (every field problem in one
 * 50035 tree), then what the ids point at (channel, guild, application, command and its version,
 * the message and the button pressed).
 */
import type {
  APIApplicationCommand,
  APIMessage,
  InteractionPayload,
  Snowflake,
} from '../../discord/types.js';
import {
  DiscordErrors,
  FieldError,
  FormErrors,
  invalidFormBody,
  type SimResponse,
} from './discord-errors.js';
import { isIdLike, isRecord } from './handler-context.js';

export interface InteractionLookups {
  /** The guild a channel belongs to; undefined for an unknown channel. */
  channelGuild(channelId: Snowflake): Snowflake | undefined;
  hasGuild(guildId: Snowflake): boolean;
  hasApplication(applicationId: Snowflake): boolean;
  command(applicationId: Snowflake, commandId: Snowflake): APIApplicationCommand | undefined;
  /** A message the user may interact with (not deleted; ephemeral ones only for their user). */
  message(channelId: Snowflake, messageId: Snowflake): APIMessage | undefined;
  /** A text modal opened for this user and not yet submitted, by its id. Optional (no modals). */
  modal?(
    modalId: Snowflake,
  ): { applicationId: Snowflake; channelId: Snowflake; customId: string } | undefined;
}

export type InteractionValidation =
  | { ok: true; payload: InteractionPayload }
  | { ok: false; response: SimResponse };

const INTERACTION_TYPES = [2, 3, 5];
const NONCE_MAX = 25;
const CUSTOM_ID_MAX = 100;

function checkForm(body: Record<string, unknown>): FormErrors {
  const errors = new FormErrors();
  const id = (path: (string | number)[], value: unknown, required: boolean): void => {
    if (value === undefined || value === null) {
      if (required) errors.add(path, FieldError.required);
    } else if (!isIdLike(value)) errors.add(path, FieldError.notSnowflake(value));
  };
  const int = (path: (string | number)[], value: unknown, required: boolean): void => {
    if (value === undefined || value === null) {
      if (required) errors.add(path, FieldError.required);
    } else if (!Number.isInteger(value)) errors.add(path, FieldError.notInt(value));
  };
  const string = (path: (string | number)[], value: unknown, max?: number): void => {
    if (value === undefined || value === null) errors.add(path, FieldError.required);
    else if (typeof value !== 'string') errors.add(path, FieldError.notString);
    else if (max !== undefined && value.length > max) errors.add(path, FieldError.maxLength(max));
  };

  int(['type'], body.type, true);
  if (Number.isInteger(body.type) && !INTERACTION_TYPES.includes(body.type as number)) {
    errors.add(['type'], FieldError.choices(INTERACTION_TYPES));
  }
  id(['application_id'], body.application_id, true);
  id(['channel_id'], body.channel_id, true);
  id(['guild_id'], body.guild_id, false);
  string(['session_id'], body.session_id);
  if (body.nonce !== undefined && body.nonce !== null) {
    if (typeof body.nonce !== 'string' && !Number.isInteger(body.nonce))
      errors.add(['nonce'], FieldError.notString);
    else if (String(body.nonce).length > NONCE_MAX) errors.add(['nonce'], FieldError.maxLength(NONCE_MAX));
  }
  const data = body.data;
  if (data === undefined || data === null) {
    errors.add(['data'], FieldError.required);
    return errors;
  }
  if (!isRecord(data)) {
    errors.add(['data'], FieldError.notObject);
    return errors;
  }
  if (body.type === 2) {
    id(['data', 'id'], data.id, true);
    id(['data', 'version'], data.version, true);
    string(['data', 'name'], data.name, 32);
    int(['data', 'type'], data.type, false);
    if (data.options !== undefined && !Array.isArray(data.options))
      errors.add(['data', 'options'], FieldError.notArray);
    if (Array.isArray(data.options)) {
      for (const [i, option] of (data.options as unknown[]).entries()) {
        if (!isRecord(option)) {
          errors.add(['data', 'options', i], FieldError.notObject);
          continue;
        }
        int(['data', 'options', i, 'type'], option.type, true);
        string(['data', 'options', i, 'name'], option.name, 32);
        // Subcommands (type 1) and groups (type 2) carry nested options, not a value.
        if (option.value === undefined && option.type !== 1 && option.type !== 2) {
          errors.add(['data', 'options', i, 'value'], FieldError.required);
        }
      }
    }
    if (data.attachments !== undefined && !Array.isArray(data.attachments)) {
      errors.add(['data', 'attachments'], FieldError.notArray);
    }
  } else if (body.type === 5) {
    id(['data', 'id'], data.id, true);
    string(['data', 'custom_id'], data.custom_id, CUSTOM_ID_MAX);
    if (!Array.isArray(data.components)) errors.add(['data', 'components'], FieldError.notArray);
    else {
      for (const [i, row] of (data.components as unknown[]).entries()) {
        const inputs = isRecord(row) ? row.components : undefined;
        if (!Array.isArray(inputs)) {
          errors.add(['data', 'components', i, 'components'], FieldError.notArray);
          continue;
        }
        for (const [j, input] of (inputs as unknown[]).entries()) {
          const path = ['data', 'components', i, 'components', j];
          if (!isRecord(input)) errors.add(path, FieldError.notObject);
          else {
            string([...path, 'custom_id'], input.custom_id, CUSTOM_ID_MAX);
            string([...path, 'value'], input.value, 4000);
          }
        }
      }
    }
  } else if (body.type === 3) {
    id(['message_id'], body.message_id, true);
    int(['message_flags'], body.message_flags, false);
    int(['data', 'component_type'], data.component_type, true);
    string(['data', 'custom_id'], data.custom_id, CUSTOM_ID_MAX);
  }
  return errors;
}

function commandProblem(message: string): SimResponse {
  return invalidFormBody({
    data: { _errors: [{ code: 'INTERACTION_APPLICATION_COMMAND_INVALID', message }] },
  });
}

/** The options against the command's definition: known names, required present, strings for type 3. */
function checkOptions(
  command: APIApplicationCommand,
  given: Record<string, unknown>[],
): SimResponse | undefined {
  const definitions = command.options ?? [];
  for (const option of given) {
    const definition = definitions.find((d) => d.name === option.name);
    if (definition === undefined) return commandProblem(`Unknown option "${String(option.name)}"`);
    if (definition.type !== option.type)
      return commandProblem(`Option "${definition.name}" must be of type ${definition.type}`);
    if (definition.type === 3 && typeof option.value !== 'string') {
      return invalidFormBody({
        data: {
          options: {
            [String(given.indexOf(option))]: {
              value: { _errors: [{ code: 'BASE_TYPE_STRING', message: 'Must be a string.' }] },
            },
          },
        },
      });
    }
  }
  const missing = definitions.find((d) => d.required && !given.some((o) => o.name === d.name));
  return missing && commandProblem(`Required option "${missing.name}" is missing`);
}

function hasButton(message: APIMessage, customId: string, componentType: number): boolean {
  return message.components.some((row) =>
    row.components.some((c) => c.custom_id === customId && c.type === componentType && c.disabled !== true),
  );
}

export function validateInteraction(body: unknown, lookups: InteractionLookups): InteractionValidation {
  const form = isRecord(body) ? body : {};
  const problems = checkForm(form).response();
  if (problems) return { ok: false, response: problems };
  const payload = form as unknown as InteractionPayload;
  const fail = (response: SimResponse): InteractionValidation => ({ ok: false, response });

  const guildId = lookups.channelGuild(payload.channel_id);
  if (guildId === undefined) return fail(DiscordErrors.unknownChannel());
  if (payload.guild_id !== undefined && payload.guild_id !== null) {
    if (!lookups.hasGuild(payload.guild_id)) return fail(DiscordErrors.unknownGuild());
    if (payload.guild_id !== guildId) return fail(DiscordErrors.unknownChannel());
  }
  if (!lookups.hasApplication(payload.application_id)) return fail(DiscordErrors.unknownApplication());

  if (payload.type === 2) {
    const command = lookups.command(payload.application_id, payload.data.id);
    if (command === undefined) return fail(DiscordErrors.unknownCommand());
    if (payload.data.version !== command.version) {
      return fail(
        invalidFormBody({
          data: {
            _errors: [
              {
                code: 'INTERACTION_APPLICATION_COMMAND_INVALID_VERSION',
                message: 'This command is outdated, please try again in a few minutes',
              },
            ],
          },
        }),
      );
    }
    if (payload.data.name !== command.name)
      return fail(commandProblem('Invalid interaction application command'));
    const options = (payload.data.options ?? []) as unknown as Record<string, unknown>[];
    const optionProblem = checkOptions(command, options);
    if (optionProblem) return fail(optionProblem);
    return { ok: true, payload };
  }

  if (payload.type === 5) {
    // A modal submit names the modal (its id and custom id); it must be open, for this user, in
    // this channel, from this application.
    const modal = lookups.modal?.(payload.data.id);
    if (
      modal === undefined ||
      modal.applicationId !== payload.application_id ||
      modal.channelId !== payload.channel_id
    ) {
      return fail(DiscordErrors.unknownInteraction());
    }
    if (modal.customId !== payload.data.custom_id) {
      return fail(
        invalidFormBody({
          data: {
            custom_id: { _errors: [{ code: 'MODAL_CUSTOM_ID_MISMATCH', message: 'Invalid custom id' }] },
          },
        }),
      );
    }
    return { ok: true, payload };
  }

  const message = lookups.message(payload.channel_id, payload.message_id);
  if (message === undefined) return fail(DiscordErrors.unknownMessage());
  const owner = message.application_id ?? (message.author.bot ? message.author.id : undefined);
  if (
    owner !== payload.application_id ||
    !hasButton(message, payload.data.custom_id, payload.data.component_type)
  ) {
    return fail(
      invalidFormBody({
        data: { _errors: [{ code: 'COMPONENT_VALIDATION_FAILED', message: 'Component validation failed' }] },
      }),
    );
  }
  return { ok: true, payload };
}
