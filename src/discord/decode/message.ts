/**
 * Checks a message from `GET /channels/{id}/messages` (or a gateway MESSAGE_CREATE) against
 * `APIMessage`. Strict where the worker relies on a field: `id` and `channel_id` are snowflakes
 * (they are compared as 64-bit numbers), `author.id` decides who sent it, attachments carry the
 * result's `filename` and `url`, and every list is an array. Tolerant elsewhere: embeds and
 * components of shapes we do not know (new component types, Components V2 containers, odd embed
 * fields) are kept minus the parts that do not fit, and never fail the message; missing optional
 * fields get Discord's empty values. Unknown fields are kept as they came.
 * https://discord.com/developers/docs/resources/message#message-object
 */
import type {
  APIActionRowComponent,
  APIAttachment,
  APIButtonComponent,
  APIEmbed,
  APIMessage,
  APIMessageInteractionMetadata,
  APIUser,
} from '../types.js';
import {
  array,
  arrayOf,
  child,
  type Decoder,
  decodeWith,
  isFiniteNumber,
  isRecord,
  isString,
  number,
  optional,
  record,
  snowflake,
  string,
} from './primitives.js';

/** A user object: the id is what the worker uses; the names fall back to Discord's empty values. */
export const decodeUser: Decoder<APIUser> = (value, path) => {
  const raw = record(value, path);
  const user: APIUser = {
    ...raw,
    id: snowflake(raw.id, child(path, 'id')),
    username: optional(raw.username, child(path, 'username'), string, ''),
    global_name: isString(raw.global_name) ? raw.global_name : null,
    discriminator: optional(raw.discriminator, child(path, 'discriminator'), string, '0'),
    avatar: isString(raw.avatar) ? raw.avatar : null,
  };
  if (typeof raw.bot === 'boolean') user.bot = raw.bot;
  else delete user.bot;
  return user;
};

export const decodeAttachment: Decoder<APIAttachment> = (value, path) => {
  const raw = record(value, path);
  const url = string(raw.url, child(path, 'url'));
  return {
    ...raw,
    id: snowflake(raw.id, child(path, 'id')),
    filename: string(raw.filename, child(path, 'filename')),
    url,
    size: optional(raw.size, child(path, 'size'), number, 0),
    proxy_url: optional(raw.proxy_url, child(path, 'proxy_url'), string, url),
  };
};

/** Keeps an embed's known fields only when they have their documented types; never fails. */
function toleratedEmbed(raw: Record<string, unknown>): APIEmbed {
  const embed: Record<string, unknown> = { ...raw };
  for (const key of ['title', 'description', 'url'] as const) if (!isString(raw[key])) delete embed[key];
  if (!isFiniteNumber(raw.color)) delete embed.color;
  if (!isRecord(raw.footer) || !isString(raw.footer.text)) delete embed.footer;
  for (const key of ['image', 'thumbnail'] as const) {
    const image = raw[key];
    if (!isRecord(image) || !isString(image.url)) delete embed[key];
  }
  if (!Array.isArray(raw.fields)) delete embed.fields;
  else embed.fields = raw.fields.filter((f) => isRecord(f) && isString(f.name) && isString(f.value));
  return embed as APIEmbed;
}

/** Keeps a button's `custom_id` and `label` only when they are strings; never fails. */
function toleratedButton(raw: Record<string, unknown>): APIButtonComponent {
  const button: Record<string, unknown> = { ...raw };
  for (const key of ['custom_id', 'label', 'url'] as const) if (!isString(raw[key])) delete button[key];
  return button as unknown as APIButtonComponent;
}

/**
 * A top-level component: an action row of buttons as the worker knows it, or anything else
 * Discord adds (select menus, V2 layouts), kept with an empty `components` when it has none.
 */
function toleratedRow(raw: Record<string, unknown>): APIActionRowComponent {
  const children = Array.isArray(raw.components) ? raw.components.filter(isRecord) : [];
  return { ...raw, components: children.map(toleratedButton) } as unknown as APIActionRowComponent;
}

function toleratedMetadata(value: unknown): APIMessageInteractionMetadata | undefined {
  if (!isRecord(value) || !isString(value.id)) return undefined;
  return value as unknown as APIMessageInteractionMetadata;
}

/** Discord nests one replied-to message; anything deeper, or broken, is dropped rather than failing. */
function toleratedReference(value: unknown, depth: number): APIMessage | null {
  if (depth > 0 || !isRecord(value)) return null;
  const decoded = decodeWith((v, p) => decodeMessageAt(v, p, depth + 1), value);
  return decoded.ok ? decoded.value : null;
}

function decodeMessageAt(value: unknown, path: string, depth: number): APIMessage {
  const raw = record(value, path);
  const at = (key: string): string => child(path, key);
  const message: APIMessage = {
    ...raw,
    id: snowflake(raw.id, at('id')),
    channel_id: snowflake(raw.channel_id, at('channel_id')),
    type: optional(raw.type, at('type'), number, 0),
    author: decodeUser(raw.author, at('author')),
    content: optional(raw.content, at('content'), string, ''),
    timestamp: isString(raw.timestamp) ? raw.timestamp : '',
    edited_timestamp: isString(raw.edited_timestamp) ? raw.edited_timestamp : null,
    tts: raw.tts === true,
    mention_everyone: raw.mention_everyone === true,
    pinned: raw.pinned === true,
    mentions: optional(raw.mentions, at('mentions'), array, []).filter(
      (m): m is APIUser => isRecord(m) && isString(m.id),
    ),
    mention_roles: optional(raw.mention_roles, at('mention_roles'), array, []).filter(isString),
    attachments: optional(raw.attachments, at('attachments'), (v, p) => arrayOf(v, p, decodeAttachment), []),
    embeds: optional(raw.embeds, at('embeds'), array, []).filter(isRecord).map(toleratedEmbed),
    components: optional(raw.components, at('components'), array, []).filter(isRecord).map(toleratedRow),
    flags: optional(raw.flags, at('flags'), integer, 0),
  };
  const loose = message as unknown as Record<string, unknown>;
  if (!isString(raw.nonce) && !isFiniteNumber(raw.nonce)) delete loose.nonce;
  for (const key of ['guild_id', 'application_id'] as const) if (!isString(raw[key])) delete loose[key];
  const metadata = toleratedMetadata(raw.interaction_metadata);
  if (metadata === undefined) delete loose.interaction_metadata;
  if (raw.referenced_message !== undefined)
    message.referenced_message = toleratedReference(raw.referenced_message, depth);
  if (!isRecord(raw.message_reference)) delete loose.message_reference;
  else {
    const reference = { ...raw.message_reference };
    for (const key of ['message_id', 'channel_id', 'guild_id'] as const)
      if (!isString(reference[key])) delete reference[key];
    message.message_reference = reference;
  }
  return message;
}

function integer(value: unknown, path: string): number {
  const n = number(value, path);
  // Flags are a bit field: a fraction or a value past 2^53 would not mean anything.
  return Number.isSafeInteger(n) ? n : 0;
}

/** One message. */
export const decodeMessage: Decoder<APIMessage> = (value, path) => decodeMessageAt(value, path, 0);

/** The answer of `GET /channels/{id}/messages`: an array of messages, newest first. */
export const decodeMessageList: Decoder<APIMessage[]> = (value, path) => arrayOf(value, path, decodeMessage);
