/**
 * What the service can learn about the layers under it. Each source is optional: the service
 * reports what it is given. `mjw serve` fills them from the Midjourney client, its RestClient /
 * RateLimiter and gateway; tests pass fakes.
 */

export interface DiscordStatus {
  /** Discord answered (any HTTP status). */
  reachable: boolean;
  /** The token was accepted; null when unknown (unreachable). */
  tokenValid: boolean | null;
  latencyMs?: number;
  /** The account name, when known. */
  user?: string;
  error?: string;
}

export interface SlotsStatus {
  inUse: number;
  limit: number;
  /** Jobs waiting for a slot. */
  queueDepth: number;
}

/** A Cloudflare ban of this IP, from the RateLimiter (see `RateLimiterStats.blocked.cloudflare`). */
export interface CloudflareStatus {
  /** Ms until requests are sent again; 0 when not banned. */
  bannedForMs: number;
  /** Bans in a row (each doubles the pause); 0 once a quiet window passed. */
  consecutive: number;
  /** The latest ban's `Retry-After` in ms; null when it had none (or none came). */
  lastRetryAfterMs: number | null;
}

export interface ServiceProbe {
  /** Checks Discord (e.g. `GET /users/@me`); the service caches the answer for MJW_HEALTH_CACHE_MS. */
  checkDiscord?(signal: AbortSignal): Promise<DiscordStatus>;
  /** The RateLimiter's state: buckets, global pause, invalid-request count, queue depth. */
  rateLimiter?(): Record<string, unknown>;
  /** The gateway connection, when gateway watching is on. */
  gateway?(): Record<string, unknown> & { state: string };
  slots?(): SlotsStatus;
  /** The Cloudflare ban state, for the metrics. */
  cloudflare?(): CloudflareStatus;
}

/** Receives Discord call telemetry for the metrics. */
export interface DiscordTelemetrySink {
  response(route: string, status: number): void;
  rateLimited(scope: string): void;
  retry(route: string): void;
}

/** Something that reports Discord calls (the RateLimiter's events); returns an unsubscribe. */
export type DiscordTelemetry = (sink: DiscordTelemetrySink) => () => void;
