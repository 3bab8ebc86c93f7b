import type {
  APIApplicationCommandIndex,
  APIMessage,
  APIUser,
  GetMessagesQuery,
  InteractionPayload,
  Snowflake,
} from '../types.js';

/** Per-call options every REST method takes. */
export interface RequestOptions {
  /** Cancels the call: while queued in the limiter it leaves the queue at once; in flight it aborts. */
  signal?: AbortSignal;
  /** Overrides the client's per-call timeout (default 15 s). */
  timeoutMs?: number;
  /**
   * Let the limiter grant this call before older queued calls that are not urgent (a channel's
   * poll before a new job's send), though never twice in a row; the spacing between calls is
   * unchanged. Default false.
   */
  urgent?: boolean;
}

/**
 * The Discord calls midjourney-worker makes. `RestClient` implements it over undici and the one
 * RateLimiter; the Midjourney layer and the orchestrator depend on this interface only. Each
 * resolves with its answer checked against the type (../decode); a malformed answer rejects with
 * DiscordProtocolError instead.
 */
export interface DiscordApi {
  /** `GET /users/@me`: checks the token and names the account. */
  getCurrentUser(options?: RequestOptions): Promise<APIUser>;
  /** `GET /channels/{id}/messages`, newest first. */
  getMessages(
    channelId: Snowflake,
    query?: GetMessagesQuery,
    options?: RequestOptions,
  ): Promise<APIMessage[]>;
  /** `POST /interactions`: 204 on success. Not retried after it may have reached Discord. */
  createInteraction(payload: InteractionPayload, options?: RequestOptions): Promise<void>;
  /** `GET /guilds/{id}/application-command-index`: the commands usable in a guild, with versions. */
  getGuildApplicationCommandIndex(
    guildId: Snowflake,
    options?: RequestOptions,
  ): Promise<APIApplicationCommandIndex>;
  /** `GET /channels/{id}/application-command-index`: the same for a DM channel. */
  getChannelApplicationCommandIndex(
    channelId: Snowflake,
    options?: RequestOptions,
  ): Promise<APIApplicationCommandIndex>;
}
