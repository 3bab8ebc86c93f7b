/**
 * The Discord v10 shapes midjourney-worker sends and reads. Only the fields the worker and the
 * simulator use are typed; Discord sends more, and unknown fields are kept as they come.
 * https://discord.com/developers/docs/resources/message
 */

export type Snowflake = string;

export interface APIUser {
  id: Snowflake;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
}

export interface APIAttachment {
  id: Snowflake;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
  width?: number | null;
  height?: number | null;
}

export interface APIEmbedFooter {
  text: string;
  icon_url?: string;
}

export interface APIEmbedImage {
  url: string;
  width?: number;
  height?: number;
}

export interface APIEmbed {
  type?: 'rich' | 'image' | 'video' | 'gifv' | 'article' | 'link';
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  footer?: APIEmbedFooter;
  image?: APIEmbedImage;
  thumbnail?: APIEmbedImage;
  fields?: { name: string; value: string; inline?: boolean }[];
}

export const ComponentType = { ActionRow: 1, Button: 2 } as const;

export const ButtonStyle = { Primary: 1, Secondary: 2, Success: 3, Danger: 4, Link: 5 } as const;

export interface APIButtonComponent {
  type: typeof ComponentType.Button;
  style: number;
  custom_id?: string;
  label?: string;
  emoji?: { name: string; id?: Snowflake | null };
  url?: string;
  disabled?: boolean;
}

export interface APIActionRowComponent {
  type: typeof ComponentType.ActionRow;
  components: APIButtonComponent[];
}

export const MessageFlags = {
  Crossposted: 1 << 0,
  SuppressEmbeds: 1 << 2,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
} as const;

export const MessageType = { Default: 0, Reply: 19, ChatInputCommand: 20 } as const;

/**
 * What a reply says about the interaction it answers.
 * https://discord.com/developers/docs/resources/message#message-interaction-metadata-object
 */
export interface APIMessageInteractionMetadata {
  id: Snowflake;
  type: number;
  user: APIUser;
  /** The command's name (application commands only; undocumented, sent by Midjourney's replies). */
  name?: string;
  /** Integration type ("0" guild, "1" user) -> the guild or user id that authorised it. */
  authorizing_integration_owners?: Record<string, Snowflake>;
  /** Component interactions: the message whose button was pressed. */
  interacted_message_id?: Snowflake;
  /** Follow-up messages: the interaction's original response. */
  original_response_message_id?: Snowflake;
}

/**
 * The deprecated predecessor of `interaction_metadata`, still sent next to it and read by many
 * clients. https://discord.com/developers/docs/interactions/receiving-and-responding#message-interaction-object
 */
export interface APIMessageInteraction {
  id: Snowflake;
  type: number;
  /** The command's name. */
  name: string;
  user: APIUser;
}

/** https://discord.com/developers/docs/resources/message#message-reference-structure */
export interface APIMessageReference {
  /** 0 default (a reply), 1 forward. */
  type?: number;
  message_id?: Snowflake;
  channel_id?: Snowflake;
  guild_id?: Snowflake;
  fail_if_not_exists?: boolean;
}

export interface APIMessage {
  id: Snowflake;
  channel_id: Snowflake;
  guild_id?: Snowflake;
  type: number;
  author: APIUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: APIUser[];
  mention_roles: Snowflake[];
  attachments: APIAttachment[];
  embeds: APIEmbed[];
  components: APIActionRowComponent[];
  flags: number;
  pinned: boolean;
  /** Present on gateway MESSAGE_CREATE for the first reply to an interaction; unreliable over REST. */
  nonce?: string | number;
  application_id?: Snowflake;
  interaction_metadata?: APIMessageInteractionMetadata;
  /** Deprecated by Discord in favour of `interaction_metadata`, still sent next to it. */
  interaction?: APIMessageInteraction;
  /** On replies (type 19): the message replied to, or null when it was deleted. */
  referenced_message?: APIMessage | null;
  message_reference?: APIMessageReference;
}

/** An application command as listed by the application-command index. */
export interface APIApplicationCommand {
  id: Snowflake;
  application_id: Snowflake;
  version: Snowflake;
  name: string;
  description: string;
  type: number;
  options?: APIApplicationCommandOption[];
  dm_permission?: boolean;
  contexts?: number[] | null;
  integration_types?: number[];
}

export interface APIApplicationCommandOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
}

export interface APIApplicationSummary {
  id: Snowflake;
  name: string;
  icon: string | null;
  description: string;
  bot_id?: Snowflake;
}

/** `GET /guilds/{guild.id}/application-command-index` (user accounts). */
export interface APIApplicationCommandIndex {
  applications: APIApplicationSummary[];
  application_commands: APIApplicationCommand[];
  version: Snowflake;
}

export const InteractionType = { ApplicationCommand: 2, MessageComponent: 3, ModalSubmit: 5 } as const;

export const ApplicationCommandOptionType = { String: 3 } as const;

export interface ApplicationCommandInteractionPayload {
  type: typeof InteractionType.ApplicationCommand;
  application_id: Snowflake;
  guild_id?: Snowflake;
  channel_id: Snowflake;
  session_id: string;
  nonce: Snowflake;
  data: {
    version: Snowflake;
    id: Snowflake;
    name: string;
    type: number;
    /** A subcommand (type 1) has nested `options` instead of a `value`. */
    options: { type: number; name: string; value?: string; options?: unknown[] }[];
    application_command?: APIApplicationCommand;
    attachments: unknown[];
  };
  analytics_location?: string;
}

export interface MessageComponentInteractionPayload {
  type: typeof InteractionType.MessageComponent;
  application_id: Snowflake;
  guild_id?: Snowflake;
  channel_id: Snowflake;
  message_id: Snowflake;
  message_flags: number;
  session_id: string;
  nonce: Snowflake;
  /** `values`: the options chosen in a select menu (component type 3). */
  data: { component_type: number; custom_id: string; values?: string[] };
}

/** A text input of a modal as submitted (component type 4). */
export interface ModalTextValue {
  type: 4;
  custom_id: string;
  value: string;
}

/**
 * The answer to a modal (interaction type 5): `data.id` is the modal's id (the id of the
 * interaction that opened it), `data.custom_id` the modal's, and one row per text input. No
 * `message_id`. See /work/shared/MIDJOURNEY.md, "Beyond /imagine" § 7.
 */
export interface ModalSubmitInteractionPayload {
  type: typeof InteractionType.ModalSubmit;
  application_id: Snowflake;
  guild_id?: Snowflake;
  channel_id: Snowflake;
  session_id: string;
  nonce: Snowflake;
  data: {
    id: Snowflake;
    custom_id: string;
    components: { type: 1; components: ModalTextValue[] }[];
  };
}

export type InteractionPayload =
  | ApplicationCommandInteractionPayload
  | MessageComponentInteractionPayload
  | ModalSubmitInteractionPayload;

/** Discord's JSON error body. https://discord.com/developers/docs/reference#error-messages */
export interface APIErrorBody {
  code: number;
  message: string;
  errors?: APIErrorTree;
}

export interface APIErrorTree {
  _errors?: { code: string; message: string }[];
  [field: string]: APIErrorTree | { code: string; message: string }[] | undefined;
}

/** The 429 body. https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit */
export interface APIRateLimitBody {
  message: string;
  retry_after: number;
  global: boolean;
  code?: number;
}

/** Query for `GET /channels/{id}/messages`; `around`, `before` and `after` are exclusive. */
export interface GetMessagesQuery {
  /** 1–100, Discord's default 50. */
  limit?: number;
  before?: Snowflake;
  after?: Snowflake;
  around?: Snowflake;
}
