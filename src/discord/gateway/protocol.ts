/**
 * Gateway opcodes and payloads (v10, JSON encoding).
 * https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway
 */
import type { APIMessage, APIUser, Snowflake } from '../types.js';

export const GatewayOpcode = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  Resume: 6,
  Reconnect: 7,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** Close codes after which a client may not resume or reconnect. */
export const GatewayCloseCode = {
  UnknownError: 4000,
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  InvalidSeq: 4007,
  RateLimited: 4008,
  SessionTimedOut: 4009,
  InvalidShard: 4010,
  ShardingRequired: 4011,
  InvalidAPIVersion: 4012,
  InvalidIntents: 4013,
  DisallowedIntents: 4014,
} as const;

/** Close codes that end the session for good: do not reconnect. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  GatewayCloseCode.AuthenticationFailed,
  GatewayCloseCode.InvalidShard,
  GatewayCloseCode.ShardingRequired,
  GatewayCloseCode.InvalidAPIVersion,
  GatewayCloseCode.InvalidIntents,
  GatewayCloseCode.DisallowedIntents,
]);

export interface GatewayPayload<D = unknown> {
  op: number;
  d: D;
  s: number | null;
  t: string | null;
}

export interface HelloData {
  heartbeat_interval: number;
}

export interface IdentifyData {
  token: string;
  capabilities?: number;
  properties: { os: string; browser: string; device: string };
  presence?: { status: string; since: number; activities: unknown[]; afk: boolean };
  compress?: boolean;
  intents?: number;
}

export interface ResumeData {
  token: string;
  session_id: string;
  seq: number;
}

export interface ReadyData {
  v: number;
  user: APIUser;
  session_id: string;
  resume_gateway_url: string;
  /**
   * A user account's READY carries its guilds in full, each channel with `last_message_id` (the
   * newest message when the session started); bots get `{ id, unavailable }` only.
   */
  guilds: { id: Snowflake; channels?: { id: Snowflake; last_message_id?: Snowflake | null }[] }[];
}

export interface MessageDeleteData {
  id: Snowflake;
  channel_id: Snowflake;
  guild_id?: Snowflake;
}

/** `INTERACTION_CREATE` / `INTERACTION_SUCCESS` / `INTERACTION_FAILURE` as a user account sees them. */
export interface InteractionEventData {
  id: Snowflake;
  nonce: Snowflake;
}

/** A text input of a modal as the application sent it (component type 4). */
export interface ModalTextInput {
  type: 4;
  custom_id: string;
  label?: string;
  /** 1 short, 2 paragraph. */
  style?: number;
  /** The prefilled text. */
  value?: string;
  required?: boolean;
}

/**
 * `INTERACTION_MODAL_CREATE`: the application answered our interaction (`nonce`) with a modal;
 * its id is the interaction's. `INTERACTION_IFRAME_MODAL_CREATE` carries an iframe (Vary
 * (Region)'s editor) instead of text inputs. Only the user's gateway sessions see either.
 */
export interface ModalCreateData {
  id: Snowflake;
  nonce: Snowflake;
  custom_id: string;
  title?: string;
  components?: { type: 1; components: ModalTextInput[] }[];
  application?: { id: Snowflake; name?: string };
}

export interface GatewayDispatchMap {
  READY: ReadyData;
  RESUMED: Record<string, never>;
  MESSAGE_CREATE: APIMessage;
  MESSAGE_UPDATE: Partial<APIMessage> & { id: Snowflake; channel_id: Snowflake };
  MESSAGE_DELETE: MessageDeleteData;
  INTERACTION_CREATE: InteractionEventData;
  INTERACTION_SUCCESS: InteractionEventData;
  INTERACTION_FAILURE: InteractionEventData & { reason?: string };
  INTERACTION_MODAL_CREATE: ModalCreateData;
  INTERACTION_IFRAME_MODAL_CREATE: ModalCreateData;
}

export type GatewayDispatchName = keyof GatewayDispatchMap;
