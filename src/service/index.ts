/** The HTTP service: public surface for `mjw serve`, embedding apps and tests. */
export { buildService, type Service, type ServiceApp, type ServiceOptions } from './app.js';
export {
  ActionUnavailableError,
  AuthenticationError,
  BadRequestError,
  BodyTooLargeError,
  CircuitOpenError,
  FieldLimitError,
  HeadersTooLargeError,
  IdempotencyKeyInUseError,
  IdempotencyKeyMismatchError,
  isRateLimitError,
  isServiceError,
  JobStateError,
  RateLimitError,
  RequestTimeoutError,
  RequestValidationError,
  ServiceBusyError,
  ServiceClosingError,
  ServiceError,
  UnknownJobError,
  UnsupportedMediaTypeError,
  UriTooLongError,
  WebhookTargetError,
} from './errors.js';
export type {
  DiscordStatus,
  DiscordTelemetry,
  DiscordTelemetrySink,
  ServiceProbe,
  SlotsStatus,
} from './health.js';
export type { HealthReport } from './health-reporter.js';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './http/idempotency.js';
export type { JobResultView, JobView } from './http/job-view.js';
export type {
  IdempotencyKeyRequest,
  IdempotencyRecord,
  IdempotencyReservation,
  IdempotencyReserveResult,
  IdempotentAnswer,
} from './jobs/idempotency-record.js';
export { IdempotencyReservationLostError } from './jobs/idempotency-record.js';
export {
  JOB_STATUSES,
  type JobOutcomeError,
  type JobRecord,
  type JobStatus,
  TERMINAL_STATUSES,
  type WebhookFormat,
} from './jobs/job.js';
export {
  isJobClaimLostError,
  type JobClaim,
  JobClaimLostError,
  JobExistsError,
  MAX_CLAIM_TTL_MS,
} from './jobs/job-claim.js';
export type {
  DeliveryState,
  IdempotencyKeyStore,
  JobClaimStore,
  JobListPage,
  JobListQuery,
  JobStore,
  WebhookDelivery,
} from './jobs/job-store.js';
export { BODY_MAX_DEPTH, type JsonLimits, METADATA_LIMITS } from './jobs/json-limits.js';
export { MemoryJobStore, type MemoryJobStoreOptions } from './jobs/memory-store.js';
export { SqliteJobStore, type SqliteJobStoreOptions } from './jobs/sqlite-store.js';
export { REFUNDED_CODES, refundsRequestToken } from './limits/refund-policy.js';
export {
  type TakeResult,
  TokenBucketLimiter,
  type TokenBucketOptions,
  type TokenBucketStats,
} from './limits/token-bucket.js';
export { checkDiscord, type MidjourneyProbeOptions, midjourneyProbe } from './midjourney-probe.js';
export {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitPermit,
  type CircuitState,
} from './protection/circuit-breaker.js';
export type { ProxyButton, ProxyTask, ProxyTaskStatus } from './proxy/task-view.js';
export type { JobEventType, RecoveryReport, SubmitOptions } from './runner/job-runner.js';
export { afterNotFound, planRecovery, type RecoveryStep } from './runner/recovery.js';
export { type StartedService, startService } from './start.js';
export { forbiddenAddressReason } from './webhooks/address-policy.js';
export { SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from './webhooks/signature.js';
export { type Resolver, WebhookTargetPolicy } from './webhooks/target-policy.js';
