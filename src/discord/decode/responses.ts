/**
 * Decoders for the answers RestClient reads, one per endpoint, and the table the client looks them
 * up in. Each checks what the worker relies on and keeps the rest as Discord sent it.
 */
import type {
  APIApplicationCommand,
  APIApplicationCommandIndex,
  APIApplicationSummary,
  APIMessage,
  APIUser,
} from '../types.js';
import { decodeMessageList, decodeUser } from './message.js';
import {
  arrayOf,
  child,
  type Decoded,
  type Decoder,
  decodeWith,
  fail,
  isRecord,
  number,
  optional,
  parseJsonText,
  record,
  snowflake,
  string,
} from './primitives.js';

function nonEmpty(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') fail(path, 'a non-empty string', value);
  return value;
}

/** One command of the index: the id, version and owning application are what an interaction names. */
export const decodeApplicationCommand: Decoder<APIApplicationCommand> = (value, path) => {
  const raw = record(value, path);
  const at = (key: string): string => child(path, key);
  return {
    ...raw,
    id: snowflake(raw.id, at('id')),
    application_id: snowflake(raw.application_id, at('application_id')),
    // Opaque to us: echoed back in the interaction as Discord sent it.
    version: nonEmpty(raw.version, at('version')),
    name: string(raw.name, at('name')),
    description: optional(raw.description, at('description'), string, ''),
    type: optional(raw.type, at('type'), number, 1),
  };
};

const decodeApplicationSummary: Decoder<APIApplicationSummary> = (value, path) => {
  const raw = record(value, path);
  return {
    ...raw,
    id: snowflake(raw.id, child(path, 'id')),
    name: optional(raw.name, child(path, 'name'), string, ''),
    icon: typeof raw.icon === 'string' ? raw.icon : null,
    description: optional(raw.description, child(path, 'description'), string, ''),
  };
};

/** `GET /guilds|channels/{id}/application-command-index`. */
export const decodeApplicationCommandIndex: Decoder<APIApplicationCommandIndex> = (value, path) => {
  const raw = record(value, path);
  const at = (key: string): string => child(path, key);
  return {
    ...raw,
    applications: optional(
      raw.applications,
      at('applications'),
      (v, p) => arrayOf(v, p, decodeApplicationSummary),
      [],
    ),
    application_commands: arrayOf(
      raw.application_commands,
      at('application_commands'),
      decodeApplicationCommand,
    ),
    version: optional(raw.version, at('version'), string, ''),
  };
};

/**
 * `POST /interactions` answers 204 with no body. A JSON object is tolerated (nothing in it is
 * read); anything else means the answer was mangled on the way.
 */
export const decodeInteractionResponse: Decoder<undefined> = (value, path) => {
  if (value !== undefined && !isRecord(value)) fail(path, 'no body (204)', value);
  return undefined;
};

/** What each RestClient method expects back. */
export interface ResponseDecoders {
  user: Decoder<APIUser>;
  messages: Decoder<APIMessage[]>;
  commandIndex: Decoder<APIApplicationCommandIndex>;
  interaction: Decoder<undefined>;
}

export const RESPONSE_DECODERS: Readonly<ResponseDecoders> = Object.freeze({
  user: decodeUser,
  messages: decodeMessageList,
  commandIndex: decodeApplicationCommandIndex,
  interaction: decodeInteractionResponse,
});

/** A 2xx body, as text, through JSON and then `decoder`. Never throws. */
export function decodeBody<T>(decoder: Decoder<T>, text: string): Decoded<T> {
  const parsed = parseJsonText(text);
  return parsed.ok ? decodeWith(decoder, parsed.value) : parsed;
}
