/**
 * midjourney-worker's public API. The simulator has its own entry, `midjourney-worker/simulator`.
 */

export type {
  AccountChange,
  AccountGenerator,
  AccountPoolEvents,
  AccountPoolOptions,
  AccountState,
  AccountView,
  PoolAccountInit,
} from './accounts/index.js';
// Several Discord accounts behind one Generator.
export {
  AccountPool,
  accountPoolFromConfig,
  isNoAccountAvailableError,
  isUnknownAccountError,
  NoAccountAvailableError,
  UnknownAccountError,
} from './accounts/index.js';
export type {
  AccountConfig,
  AccountMode,
  AccountsConfig,
  CreditsExhaustedPolicy,
} from './config/accounts.js';
export { describeAccounts, loadAccountsConfig } from './config/accounts.js';
export type { Config, DiscordCredentials, LoadConfigOptions, LogLevel, WatchMode } from './config/index.js';
export { ConfigError, describeConfig, loadConfig } from './config/index.js';
export type { GatewayClientEvents, GatewayClientOptions, GatewayState } from './discord/gateway/index.js';
// Discord gateway.
export { GatewayClient, GatewayError, isGatewayError } from './discord/gateway/index.js';
export { AttachmentUploadError } from './discord/rest/attachments.js';
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
  DiscordProtocolError,
  DiscordTimeoutError,
  InvalidRequestLimitError,
  isAmbiguousSubmission,
  isDiscordAPIError,
  isDiscordProtocolError,
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
export type { ImagePromptRefs } from './generation/commands/image-prompt.js';
export { composeImagePrompt } from './generation/commands/image-prompt.js';
// describe / blend / shorten and image prompts.
export type {
  BlendDimensions,
  BlendOptions,
  CommandGenerator,
  CommandOptions,
  DescribeOptions,
  DescribeResult,
  SeedResult,
  SeedSource,
  ShortenResult,
  ShortenToken,
  TokenWeight,
} from './generation/commands/types.js';
export {
  DailyCapReachedError,
  GenerationOptionsError,
  GeneratorClosedError,
  InferredPreModerationError,
  isResumeUnresolvedError,
  isSubmissionUncertainError,
  ResumeUnresolvedError,
  SubmissionUncertainError,
  UnknownActionError,
} from './generation/errors.js';
export type {
  ActionOptions,
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
  RestartAction,
  RestartFacts,
  ResumeEvidence,
  ResumeOptions,
  SendFailureAction,
  SendFailureFacts,
  SubmissionTicket,
} from './generation/index.js';
// Generation: the Midjourney client and its contract.
// The restart rule: what a job that may already have been sent becomes after a restart; the send
// rule: what may follow a failed interaction POST (never a resend when it may have been written).
export {
  createMidjourney,
  Midjourney,
  restartAction,
  resumeEvidenceOf,
  sendFailureAction,
} from './generation/index.js';
export type {
  ImageInput,
  ImageInputErrorCode,
  ImageLoadOptions,
  ImageType,
  ImageUrlPolicy,
  LoadedImage,
} from './images/index.js';
export { ImageInputError, isImageInputError, loadImage, sniffImageType } from './images/index.js';
export { parseDescribeAnswer, parseShortenAnswer } from './midjourney/command-answers.js';
export type {
  AccountNoticeReason,
  BotType,
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
export type { AccountInfo } from './midjourney/info-answer.js';
export { parseInfoAnswer } from './midjourney/info-answer.js';
export {
  InpaintSubmitError,
  isModalRequiredError,
  ModalRequiredError,
  ModalUnavailableError,
} from './midjourney/modal-errors.js';
export {
  buildModalSubmit,
  DEFAULT_INPAINT_URL,
  fillModal,
  opensModal,
} from './midjourney/modals.js';
export type { FileLockOptions, LockHolder, TokenIdentity, TokenLeaseOptions } from './ownership/index.js';
// Ownership across processes: one local driver per token (what the CLI takes), file locks.
export {
  FileLock,
  LockFileError,
  LockHeldError,
  LockLostError,
  TokenInUseError,
  TokenLease,
  tokenLeaseKey,
} from './ownership/index.js';
export { isRateLimitError, RateLimitError } from './service/errors.js';
export type { Service, ServiceOptions } from './service/index.js';
// Webhook receivers verify signatures with these; they load nothing of the service.
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from './service/webhooks/signature.js';
// The HTTP service, for embedding. `buildService` loads Fastify and the store only when called:
// an app that uses the client alone never loads them (the full service API is in
// `midjourney-worker/service`).
export { buildService } from './service-loader.js';
