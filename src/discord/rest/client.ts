/**
 * The Discord REST client: typed methods over undici, every request through the one RateLimiter.
 * Retries go through p-retry: 429s per the limiter's rules (the limiter does the waiting), 5xx and
 * network failures with full-jitter backoff, except a POST that may have reached Discord, which
 * comes back as an ambiguous error so the caller checks the channel before submitting again.
 * Every 2xx body is decoded into its type (../decode): a malformed one is a DiscordProtocolError,
 * retried like a 5xx for a GET, ambiguous for a POST.
 */
import pRetry from 'p-retry';
import { type Dispatcher, Pool } from 'undici';
import type { Config } from '../../config/index.js';
import { ConfigError, isLoopbackHost } from '../../config/index.js';
import { anySignal } from '../../util/abort.js';
import { normaliseHeaders } from '../../util/extra-headers.js';
import { type Logger, redactSecrets } from '../../util/logger.js';
import { type Decoder, decodeBody, RESPONSE_DECODERS } from '../decode/index.js';
import type {
  APIApplicationCommandIndex,
  APIMessage,
  APIUser,
  GetMessagesQuery,
  InteractionPayload,
  Snowflake,
} from '../types.js';
import type { DiscordApi, RequestOptions } from './api.js';
import { checkInteractionPayload, checkSnowflakeArgument, messagesQueryString } from './arguments.js';
import {
  type ResolvedRestClientOptions,
  type RestClientOptions,
  resolveRestClientOptions,
  restIdentityOf,
} from './client-options.js';
import {
  CloudflareBanError,
  DiscordNetworkError,
  DiscordProtocolError,
  DiscordTimeoutError,
  RateLimitedError,
  type RequestContext,
  TokenInvalidError,
} from './errors.js';
import { type HeaderMap, headerValue } from './headers.js';
import { RateLimiter } from './rate-limiter.js';
import type { InvalidRequestWarningEvent } from './rate-limiter-types.js';
import { errorFromResponse, networkError } from './response-errors.js';
import type { ResponseVerdict } from './response-verdict.js';
import { backoffDelay, retryReason } from './retry-policy.js';
import { type HttpMethod, type Route, routeFor } from './routes.js';
import { trackSend } from './send-tracker.js';

/** One call through `RestClient.request`. */
export interface RestRequest<T = unknown> extends RequestOptions {
  method: HttpMethod;
  /** Path under the base URL, with its query: `/channels/123/messages?limit=10`. */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /**
   * Checks the 2xx answer's JSON and types it; a failed check is a DiscordProtocolError. Default:
   * any JSON (or no body) is accepted as it is.
   */
  decode?: Decoder<T>;
}

interface RetryBudget {
  sequence: number | undefined;
  rateLimitRetries: number;
  rateLimitWaitMs: number;
  otherRetries: number;
}

export class RestClient implements DiscordApi {
  /** The limiter every request goes through: `stats()` and events live there. */
  readonly limiter: RateLimiter;
  readonly options: Readonly<ResolvedRestClientOptions>;
  readonly #token: string;
  /** RestClientOptions.headers with lower-case names. */
  readonly #extraHeaders: Readonly<Record<string, string>>;
  readonly #secrets: readonly string[];
  readonly #origin: string;
  readonly #basePath: string;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  #closing: Promise<void> | undefined;
  readonly #log: Logger;
  readonly #onInvalidWarning = (event: InvalidRequestWarningEvent): void => {
    this.#log.warn(event, 'half of the invalid-request budget used: check the token and the request pattern');
  };

  constructor(options: Partial<RestClientOptions> & { token: string }) {
    const { token, options: resolved, url } = resolveRestClientOptions(options);
    this.#token = token;
    this.#secrets = [token];
    this.options = Object.freeze(resolved);
    this.#extraHeaders = Object.freeze(normaliseHeaders(resolved.headers));
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#ownsDispatcher = resolved.dispatcher === undefined;
    this.#dispatcher =
      resolved.dispatcher ??
      new Pool(url.origin, { connections: 8, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });
    this.limiter =
      resolved.limiter ??
      new RateLimiter({
        allowUnsafeSpacing: isLoopbackHost(url.hostname),
        ...resolved.limiterOptions,
      });
    this.#log = resolved.logger.child({ component: 'discord-rest' });
    this.limiter.on('invalidRequestWarning', this.#onInvalidWarning);
  }

  /** A client for the configured account: token, base URL, spacing, timeout and invalid-request threshold. */
  static fromConfig(config: Config, overrides: Partial<Omit<RestClientOptions, 'token'>> = {}): RestClient {
    if (config.credentials === null) {
      throw new ConfigError([
        'DISCORD_TOKEN: required to talk to Discord (or point the client at the simulator)',
      ]);
    }
    return new RestClient({
      token: config.credentials.token,
      baseUrl: config.apiBaseUrl,
      timeoutMs: config.requestTimeoutMs,
      ...restIdentityOf(config),
      ...overrides,
      limiterOptions: {
        minSpacingMs: config.minRequestSpacingMs,
        invalidRequestThreshold: config.invalidRequestThreshold,
        ...overrides.limiterOptions,
      },
    });
  }

  async getCurrentUser(options: RequestOptions = {}): Promise<APIUser> {
    return this.request({ ...options, method: 'GET', path: '/users/@me', decode: RESPONSE_DECODERS.user });
  }

  async getMessages(
    channelId: Snowflake,
    query: GetMessagesQuery = {},
    options: RequestOptions = {},
  ): Promise<APIMessage[]> {
    const search = messagesQueryString(channelId, query);
    return this.request({
      ...options,
      method: 'GET',
      path: `/channels/${channelId}/messages${search}`,
      decode: RESPONSE_DECODERS.messages,
    });
  }

  async createInteraction(payload: InteractionPayload, options: RequestOptions = {}): Promise<void> {
    checkInteractionPayload(payload);
    await this.request({
      ...options,
      method: 'POST',
      path: '/interactions',
      body: payload,
      decode: RESPONSE_DECODERS.interaction,
    });
  }

  async getGuildApplicationCommandIndex(
    guildId: Snowflake,
    options: RequestOptions = {},
  ): Promise<APIApplicationCommandIndex> {
    checkSnowflakeArgument('getGuildApplicationCommandIndex', 'guildId', guildId);
    return this.request({
      ...options,
      method: 'GET',
      path: `/guilds/${guildId}/application-command-index`,
      decode: RESPONSE_DECODERS.commandIndex,
    });
  }

  async getChannelApplicationCommandIndex(
    channelId: Snowflake,
    options: RequestOptions = {},
  ): Promise<APIApplicationCommandIndex> {
    checkSnowflakeArgument('getChannelApplicationCommandIndex', 'channelId', channelId);
    return this.request({
      ...options,
      method: 'GET',
      path: `/channels/${channelId}/application-command-index`,
      decode: RESPONSE_DECODERS.commandIndex,
    });
  }

  /**
   * Any call, with the limiter, timeout and retry rules. Resolves with the JSON decoded by
   * `request.decode` (undefined on 204 when no decoder is given).
   */
  async request<T>(request: RestRequest<T>): Promise<T> {
    const route = routeFor(request.method, request.path);
    const budget: RetryBudget = {
      sequence: undefined,
      rateLimitRetries: 0,
      rateLimitWaitMs: 0,
      otherRetries: 0,
    };
    const signal = request.signal;
    try {
      return await pRetry((attempt) => this.#attempt<T>(request, route, attempt, budget), {
        // Both budgets are enforced in shouldRetry; p-retry's own delay is off (ours is jittered).
        retries: Number.POSITIVE_INFINITY,
        minTimeout: 0,
        signal,
        shouldRetry: ({ error, attemptNumber }) =>
          this.#shouldRetry(error, attemptNumber, route, budget, signal),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  }

  /**
   * Closes the dispatcher and detaches from the limiter; the limiter itself stays usable if shared.
   * Idempotent: the client, the orchestrator and the service may each close it.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.limiter.off('invalidRequestWarning', this.#onInvalidWarning);
      if (this.#ownsDispatcher) await this.#dispatcher.close();
    })();
    return this.#closing;
  }

  async #attempt<T>(request: RestRequest<T>, route: Route, attempt: number, budget: RetryBudget): Promise<T> {
    const permit = await this.limiter.acquire(route, {
      signal: request.signal,
      sequence: budget.sequence,
      urgent: request.urgent,
    });
    budget.sequence = permit.sequence;
    if (this.options.sendGate) {
      try {
        await this.options.sendGate.pass(request.signal);
      } catch (error) {
        // Nothing left: free the permit without teaching the limiter anything.
        permit.fail();
        throw error;
      }
    }
    const context: RequestContext = { method: request.method, route: route.path, attempts: attempt };
    const idempotent = request.method !== 'POST' && request.method !== 'PATCH';
    const timeoutMs = request.timeoutMs ?? this.options.timeoutMs;
    // Our own timer rather than AbortSignal.timeout, so fake timers drive it too; unref'd so a
    // pending call never keeps the CLI alive on its own.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    timer.unref?.();
    const started = performance.now();
    let status: number;
    let headers: HeaderMap;
    let text: string;
    try {
      // The limiter spaces the next request from the moment this one leaves (send-tracker.ts).
      const response = await trackSend(
        () =>
          this.#dispatcher.request({
            origin: this.#origin,
            path: `${this.#basePath}${request.path}`,
            method: request.method,
            headers: this.#headers(request.body !== undefined),
            body: request.body === undefined ? null : JSON.stringify(request.body),
            signal: anySignal(request.signal, timeout.signal) ?? null,
          }),
        { created: () => permit.awaitSend(), sent: () => permit.sent() },
      );
      status = response.statusCode;
      headers = response.headers;
      text = await response.body.text();
    } catch (error) {
      permit.fail();
      const ms = Math.round(performance.now() - started);
      if (request.signal?.aborted) throw request.signal.reason;
      const failure = timeout.signal.aborted
        ? new DiscordTimeoutError(context, timeoutMs, !idempotent)
        : networkError(context, error, idempotent, this.#secrets);
      this.#log.debug(
        { method: request.method, route: route.path, attempt, ms, error: failure.code },
        'discord request failed',
      );
      throw failure;
    } finally {
      clearTimeout(timer);
    }
    const body = looseBody(text, headers);
    const verdict = permit.complete({ status, headers, body });
    const ms = Math.round(performance.now() - started);
    this.#log.debug({ method: request.method, route: route.path, status, attempt, ms }, 'discord request');
    if (status < 200 || status >= 300) throw this.#failure(verdict, status, body, context, idempotent);
    const decoded = decodeBody(request.decode ?? anyJson, text);
    if (decoded.ok) return decoded.value as T;
    this.#log.debug(
      { method: request.method, route: route.path, problem: decoded.problem },
      'malformed answer',
    );
    throw new DiscordProtocolError(
      context,
      status,
      redactSecrets(decoded.problem, this.#secrets),
      redactSecrets(text.slice(0, 200), this.#secrets),
      // A POST that got a 2xx reached Discord: whatever the body, it may have taken effect.
      !idempotent,
    );
  }

  #failure(
    verdict: ResponseVerdict,
    status: number,
    body: unknown,
    context: RequestContext,
    idempotent: boolean,
  ): Error {
    switch (verdict.kind) {
      case 'token-invalid':
        return new TokenInvalidError(`${context.method} ${context.route}`);
      case 'cloudflare':
        // The pause the limiter has just applied: Retry-After within bounds, escalated on repeats.
        return new CloudflareBanError(
          `${context.method} ${context.route}`,
          verdict.pauseMs ?? this.limiter.stats().blocked.cloudflareForMs,
        );
      case 'rate-limited':
        return new RateLimitedError(context, {
          retryAfterMs: verdict.retryAfterMs,
          global: verdict.global,
          scope: verdict.scope,
          bucket: verdict.headers.bucket,
        });
      case 'ok':
        return errorFromResponse(context, status, body, !idempotent, this.#secrets);
    }
  }

  async #shouldRetry(
    error: Error,
    attempt: number,
    route: Route,
    budget: RetryBudget,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    if (signal?.aborted) return false;
    const reason = retryReason(error);
    if (reason === undefined) return false;
    const detail = describeFailure(error);
    let delayMs = 0;
    if (error instanceof RateLimitedError) {
      // The limiter has already parked the route/bucket/token; queueing again is the wait.
      if (budget.rateLimitRetries >= this.options.rateLimitRetries) return false;
      if (budget.rateLimitWaitMs + error.retryAfterMs > this.options.rateLimitMaxWaitMs) return false;
      budget.rateLimitRetries += 1;
      budget.rateLimitWaitMs += error.retryAfterMs;
    } else {
      if (budget.otherRetries >= this.options.retries) return false;
      delayMs = backoffDelay(
        budget.otherRetries,
        {
          baseMs: this.options.retryBaseMs,
          factor: this.options.retryFactor,
          maxMs: this.options.retryMaxDelayMs,
        },
        this.options.random,
      );
      budget.otherRetries += 1;
    }
    this.limiter.recordRetry({ route: route.key, attempt, reason, delayMs, detail });
    this.#log.warn(
      { method: route.method, route: route.path, attempt, reason, delayMs },
      'retrying discord request',
    );
    if (delayMs > 0) await this.options.clock.sleep(delayMs, signal);
    return true;
  }

  #headers(json: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      // The account's own first: the client's headers below are never replaced (util/extra-headers.ts).
      ...this.#extraHeaders,
      authorization: this.#token,
      'user-agent': this.options.userAgent,
      accept: 'application/json',
    };
    if (json) headers['content-type'] = 'application/json';
    return headers;
  }
}

/** The status or error code of a retryable failure, for the `retry` event. */
function describeFailure(error: Error): string {
  if (error instanceof RateLimitedError) return `429 ${error.scope}`;
  if (error instanceof DiscordTimeoutError) return 'timeout';
  if (error instanceof DiscordProtocolError) return `protocol ${error.status}`;
  if (error instanceof DiscordNetworkError) return error.errorCode ?? 'network';
  return 'status' in error ? String(error.status) : error.name;
}

/** Accepts any JSON, or no body: for `request` calls without a decoder. */
const anyJson: Decoder<unknown> = (value) => value;

/**
 * The body as the limiter and the error builders see it: parsed JSON when declared JSON, else the
 * text; undefined when empty. (A 2xx body is decoded strictly instead, see `#attempt`.)
 */
function looseBody(text: string, headers: HeaderMap): unknown {
  if (text === '') return undefined;
  if ((headerValue(headers, 'content-type') ?? '').includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
