import type { Dispatcher } from 'undici';
import { type Config, DEFAULT_API_BASE_URL } from '../../config/index.js';
import { ValidationError } from '../../errors.js';
import { type Clock, type Random, systemClock } from '../../util/clock.js';
import { extraHeaderProblems } from '../../util/extra-headers.js';
import { type Logger, silentLogger } from '../../util/logger.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RateLimiterOptions } from './rate-limiter-options.js';
import type { SendGate } from './send-gate.js';

/** Identifies the library; keep in step with package.json's version. */
export const DEFAULT_USER_AGENT = 'midjourney-worker/0.1.0';

export interface RestClientOptions {
  /** The Discord user token, sent as given in `Authorization` (no "Bearer"). Required; never logged. */
  token: string;
  /** API base URL. Default `https://discord.com/api/v10`; the simulator's on loopback. */
  baseUrl: string;
  /**
   * `User-Agent` header. Default `midjourney-worker/<version>`, which tells Discord what sends the
   * calls; an account that should look like the browser it was made in can send that browser's.
   */
  userAgent: string;
  /**
   * More headers on every call, e.g. `X-Discord-Locale`, `X-Discord-Timezone`, `X-Super-Properties`
   * (util/extra-headers.ts). Default none. Not `Authorization`, `User-Agent`, `Content-Type` or the
   * connection's own headers.
   */
  headers: Readonly<Record<string, string>>;
  /** Per-attempt timeout from permit to full body, ms. Default 15,000. Queue time is not counted. */
  timeoutMs: number;
  /** Retries after a 5xx (500/502/503/504), a network error or a timeout. Default 3. */
  retries: number;
  /** Backoff ceiling of the first retry, ms (full jitter below it). Default 1,000. */
  retryBaseMs: number;
  /** Backoff growth per retry. Default 2. */
  retryFactor: number;
  /** Longest single backoff, ms. Default 30,000. */
  retryMaxDelayMs: number;
  /** Retries after a Discord 429. Default 3. */
  rateLimitRetries: number;
  /** Total 429 wait one call may spend before giving up with RateLimitedError, ms. Default 60,000. */
  rateLimitMaxWaitMs: number;
  /** HTTP dispatcher. Default: an undici Pool per origin with keep-alive, closed by `close()`. */
  dispatcher: Dispatcher | undefined;
  /**
   * The RateLimiter to go through. Pass the same instance to every client of one token: Discord
   * limits per token. Default: a new one built from `limiterOptions`.
   */
  limiter: RateLimiter | undefined;
  /**
   * Awaited after the limiter's grant and before each request leaves; a rejection stops the request
   * unsent. Default none. A cluster worker passes a FencedSendGate (lease + cluster-wide spacing).
   */
  sendGate: SendGate | undefined;
  /**
   * Options for the limiter built when `limiter` is not given. `allowUnsafeSpacing` defaults to
   * true only when `baseUrl` is a loopback address.
   */
  limiterOptions: Partial<RateLimiterOptions>;
  /** Backoff sleeps. Default `systemClock`. */
  clock: Clock;
  /** Jitter source. Default `Math.random`. */
  random: Random;
  /** Request log at debug level, retries at warn; the token never appears. Default silent. */
  logger: Logger;
}

export type ResolvedRestClientOptions = Omit<RestClientOptions, 'token'>;

export const DEFAULT_REST_CLIENT_OPTIONS: Readonly<
  Omit<ResolvedRestClientOptions, 'dispatcher' | 'limiter' | 'sendGate'>
> = Object.freeze({
  baseUrl: DEFAULT_API_BASE_URL,
  userAgent: DEFAULT_USER_AGENT,
  headers: Object.freeze({}),
  timeoutMs: 15_000,
  retries: 3,
  retryBaseMs: 1_000,
  retryFactor: 2,
  retryMaxDelayMs: 30_000,
  rateLimitRetries: 3,
  rateLimitMaxWaitMs: 60_000,
  limiterOptions: {},
  clock: systemClock,
  random: Math.random,
  logger: silentLogger,
});

function checkNumber(problems: string[], name: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    problems.push(`${name}: expected a number from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Merges over the defaults and validates; a ValidationError lists every bad option by name. */
export function resolveRestClientOptions(options: Partial<RestClientOptions> & { token: string }): {
  token: string;
  options: ResolvedRestClientOptions;
  url: URL;
} {
  const { token, ...rest } = options;
  const merged: ResolvedRestClientOptions = {
    ...DEFAULT_REST_CLIENT_OPTIONS,
    dispatcher: undefined,
    limiter: undefined,
    sendGate: undefined,
  };
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  const problems: string[] = [];
  if (typeof token !== 'string' || token.length === 0)
    problems.push('token: required (the Discord user token)');
  else if (/\s/.test(token)) problems.push('token: must not contain whitespace');
  let url = new URL(DEFAULT_REST_CLIENT_OPTIONS.baseUrl);
  try {
    url = new URL(merged.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      problems.push(`baseUrl: expected an http(s) URL, got ${url.protocol}`);
    }
  } catch {
    problems.push(`baseUrl: not a URL: "${String(merged.baseUrl)}"`);
  }
  checkNumber(problems, 'timeoutMs', merged.timeoutMs, 1, 600_000);
  checkNumber(problems, 'retries', merged.retries, 0, 100);
  checkNumber(problems, 'retryBaseMs', merged.retryBaseMs, 0, 600_000);
  checkNumber(problems, 'retryFactor', merged.retryFactor, 1, 10);
  checkNumber(problems, 'retryMaxDelayMs', merged.retryMaxDelayMs, 0, 3_600_000);
  checkNumber(problems, 'rateLimitRetries', merged.rateLimitRetries, 0, 100);
  checkNumber(problems, 'rateLimitMaxWaitMs', merged.rateLimitMaxWaitMs, 0, 86_400_000);
  if (typeof merged.userAgent !== 'string' || merged.userAgent.trim() === '') {
    problems.push('userAgent: must be a non-empty string');
  } else if (/[\r\n\0]/.test(merged.userAgent)) {
    problems.push('userAgent: must not hold a line break or NUL');
  }
  problems.push(...extraHeaderProblems(merged.headers));
  if (problems.length > 0) throw new ValidationError('Invalid RestClient options', problems);
  return { token, options: merged, url };
}

/** The headers an account sends, from MJ_USER_AGENT and MJ_REST_HEADERS; empty when unset. */
export function restIdentityOf(
  config: Pick<Config, 'userAgent' | 'restHeaders'>,
): Partial<Pick<RestClientOptions, 'userAgent' | 'headers'>> {
  return {
    ...(config.userAgent === undefined ? {} : { userAgent: config.userAgent }),
    ...(config.restHeaders === undefined ? {} : { headers: config.restHeaders }),
  };
}
