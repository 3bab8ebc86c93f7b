export type { DiscordApi, RequestOptions } from './api.js';
export { RestClient, type RestRequest } from './client.js';
export {
  DEFAULT_REST_CLIENT_OPTIONS,
  DEFAULT_USER_AGENT,
  type ResolvedRestClientOptions,
  type RestClientOptions,
  restIdentityOf,
} from './client-options.js';
export { type CloudflareBanSnapshot, cloudflarePauseMs } from './cloudflare-ban.js';
export {
  CloudflareBanError,
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  DiscordProtocolError,
  DiscordTimeoutError,
  type FieldIssue,
  InvalidRequestLimitError,
  isAmbiguousSubmission,
  isCloudflareBanError,
  isDiscordAPIError,
  isDiscordHTTPError,
  isDiscordNetworkError,
  isDiscordProtocolError,
  isDiscordTimeoutError,
  isInvalidRequestLimitError,
  isRateLimitedError,
  isTokenInvalidError,
  RateLimitedError,
  type RateLimitFacts,
  type RequestContext,
  TokenInvalidError,
} from './errors.js';
export {
  type HeaderMap,
  parseRateLimitHeaders,
  type RateLimitHeaders,
  type RateLimitScope,
} from './headers.js';
export { monotonicClock } from './monotonic-clock.js';
export { RateLimiter } from './rate-limiter.js';
export {
  DEFAULT_RATE_LIMITER_OPTIONS,
  DISCORD_MIN_SPACING_MS,
  type RateLimiterOptions,
} from './rate-limiter-options.js';
export type {
  AcquireOptions,
  BucketSnapshot,
  InvalidRequestWarningEvent,
  Permit,
  RateLimitedEvent,
  RateLimiterEvents,
  RateLimiterStats,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  RetryReason,
} from './rate-limiter-types.js';
export { flattenErrorTree } from './response-errors.js';
export { classifyResponse, type ResponseInfo, type ResponseVerdict } from './response-verdict.js';
export { backoffDelay, retryReason } from './retry-policy.js';
export { type HttpMethod, type Route, routeFor } from './routes.js';
export type { SendGate } from './send-gate.js';
