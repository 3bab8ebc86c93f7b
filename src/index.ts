/**
 * midjourney-worker's public API. The simulator has its own entry, `midjourney-worker/simulator`.
 */

export type { Config, DiscordCredentials, LoadConfigOptions, LogLevel, WatchMode } from './config/index.js';
export { ConfigError, describeConfig, loadConfig } from './config/index.js';
export type { GatewayClientEvents, GatewayClientOptions, GatewayState } from './discord/gateway/index.js';
// Discord gateway.
export { GatewayClient, GatewayError, isGatewayError } from './discord/gateway/index.js';
export type {
  DiscordApi,
  RateLimiterEvents,
  RateLimiterOptions,
  RateLimiterStats,
  RequestOptions,
  RestClientOptions,
} from './discord/rest/index.js';
// Discord REST and its rate limiter.
export {
  CloudflareBanError,
  DiscordAPIError,
  DiscordHTTPError,
  DiscordNetworkError,
  DiscordTimeoutError,
  InvalidRequestLimitError,
  isAmbiguousSubmission,
  isDiscordAPIError,
  isRateLimitedError,
  isTokenInvalidError,
  RateLimitedError,
  RateLimiter,
  RestClient,
  TokenInvalidError,
} from './discord/rest/index.js';
// Errors common to every layer, and configuration.
export {
  classifyError,
  type DiscordHealth,
  type ErrorFamily,
  type ErrorKind,
  isDiscordFailure,
} from './error-kind.js';
export { isWorkerError, ValidationError, WorkerError } from './errors.js';
export {
  DailyCapReachedError,
  GenerationOptionsError,
  GeneratorClosedError,
  InferredPreModerationError,
  UnknownActionError,
} from './generation/errors.js';
export type {
  GenerationEvents,
  GenerationMode,
  GenerationResult,
  GenerationStats,
  GenerationTimings,
  Generator,
  JobAction,
  JobKind,
  JobOptions,
  JobRef,
  MidjourneyOptions,
  ProgressInfo,
  SubmissionTicket,
} from './generation/index.js';
// Generation: the Midjourney client and its contract.
export { createMidjourney, Midjourney } from './generation/index.js';
export type {
  AccountNoticeReason,
  Classification,
  MidjourneyErrorCode,
  OutcomeKind,
  ParsedMessage,
} from './midjourney/index.js';
// Midjourney outcomes.
export {
  AccountError,
  AppealNeededError,
  CommandNotFoundError,
  CreditsExhaustedError,
  classify,
  DuplicateImagesError,
  EphemeralModerationError,
  HumanCheckError,
  InvalidRequestError,
  isAccountFatal,
  isMidjourneyError,
  JobFailedError,
  JobNotFoundError,
  JobQueuedError,
  JobTimeoutError,
  MidjourneyError,
  normalizePrompt,
  OutputFilterError,
  PostModerationError,
  PreModerationError,
  parseMessage,
  promptsMatch,
  QueueFullError,
  UnknownOutcomeError,
} from './midjourney/index.js';
export type { ServiceOptions } from './service/index.js';
// The HTTP service, for embedding.
export { buildService, isRateLimitError, RateLimitError } from './service/index.js';
