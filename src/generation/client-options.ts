/**
 * What `new Midjourney(options)` takes and what `stats()` returns. The settings themselves
 * (poll interval, slots, windows, deadlines) are documented with their defaults in `options.ts`.
 */
import type { Config } from '../config/index.js';
import type { GatewayClient } from '../discord/gateway/index.js';
import type { DiscordApi } from '../discord/rest/api.js';
import type { RateLimiterStats } from '../discord/rest/rate-limiter-types.js';
import type { SendGate } from '../discord/rest/send-gate.js';
import type { Snowflake } from '../discord/types.js';
import type { ImageUrlPolicy } from '../images/image-source.js';
import type { Clock, Random } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { WatcherStats } from './channel-watcher.js';
import type { GenerationSettings } from './options.js';
import type { SlotStats } from './slots.js';

/** A Discord API, optionally exposing its RateLimiter's stats. */
export type RestApi = DiscordApi & { limiter?: { stats(): RateLimiterStats } };

export interface MidjourneyOptions extends Partial<GenerationSettings> {
  /** A loaded configuration (account, URLs, pacing, watch mode); the fields below override it. */
  config?: Config;
  /** The Discord user token (else `config.credentials.token`). Never logged. */
  token?: string;
  /** Discord API base URL. Default: the config's, else `https://discord.com/api/v10`. */
  apiBaseUrl?: string;
  /** Gateway URL for `watch: 'gateway'`. Default: the config's, else Discord's. */
  gatewayUrl?: string;
  /** Minimum spacing between any two Discord requests (ms). Default: the config's, else 350. */
  minRequestSpacingMs?: number;
  /** Per-request timeout (ms). Default: the config's, else 15_000. */
  requestTimeoutMs?: number;
  /** The Discord API to use instead of a RestClient built here (not closed by `close()`). */
  rest?: RestApi;
  /** The gateway client for `watch: 'gateway'` instead of one built here (not closed by `close()`). */
  gateway?: GatewayClient;
  /**
   * Checked before every Discord call of the RestClient built here (ignored with `rest`): a
   * cluster's FencedSendGate, so a process outside the workers keeps the token's spacing too.
   */
  sendGate?: SendGate;
  /** Time source for every wait. Default the system clock. */
  clock?: Clock;
  /** Uniform [0, 1) source for poll and gap jitter. Default `Math.random`. */
  random?: Random;
  /** Debug lines go here (and to the `debug` event). Default silent. */
  logger?: Logger;
  /** Our Discord user id, when known (skips `GET /users/@me`). */
  userId?: Snowflake;
  /** The DM channel with the Midjourney bot (seeds); default: opened with `POST /users/@me/channels`. */
  dmChannelId?: Snowflake;
  /**
   * Where Vary (Region)'s editor posts the mask. Default Midjourney's
   * `https://936929561302675456.discordsays.com/inpaint/api/submit-job`; the simulator serves its own.
   */
  inpaintUrl?: string;
  /** Largest image accepted by describe / blend, in bytes. Default 10 MiB. */
  imageMaxBytes?: number;
  /**
   * Which image URLs describe / blend may fetch. Default: public addresses only (the service's
   * webhook target policy, loaded on first use).
   */
  imageUrlPolicy?: ImageUrlPolicy;
}

export interface GenerationStats {
  slots: SlotStats;
  /** Jobs waiting for a local slot. */
  queueDepth: number;
  /** Jobs between the call and their outcome (waiting for a slot included). */
  jobsInFlight: number;
  watcher: WatcherStats;
  account: { submittedToday: number; halted: boolean };
  /** The RateLimiter's view, when the REST client exposes one. */
  limiter?: RateLimiterStats;
}
