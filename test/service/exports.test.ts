import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  IdempotencyReserveResult,
  JobClaim,
  JobRecord,
  JobStore,
  JobView,
  ProxyTask,
  Service,
  ServiceOptions,
} from '../../src/service/index.js';
import * as service from '../../src/service/index.js';

describe('src/service/index.ts', () => {
  it('exports the service, its stores, limits, errors and webhook helpers by name', () => {
    expect(Object.keys(service).sort()).toEqual(
      [
        'ActionUnavailableError',
        'AuthenticationError',
        'BODY_MAX_DEPTH',
        'BadRequestError',
        'BodyTooLargeError',
        'CircuitBreaker',
        'CircuitOpenError',
        'FieldLimitError',
        'HeadersTooLargeError',
        'IDEMPOTENCY_KEY_HEADER',
        'IDEMPOTENT_REPLAYED_HEADER',
        'IdempotencyKeyInUseError',
        'IdempotencyKeyMismatchError',
        'IdempotencyReservationLostError',
        'JobClaimLostError',
        'JobExistsError',
        'MAX_CLAIM_TTL_MS',
        'METADATA_LIMITS',
        'REFUNDED_CODES',
        'RequestTimeoutError',
        'UriTooLongError',
        'isJobClaimLostError',
        'refundsRequestToken',
        'JOB_STATUSES',
        'JobStateError',
        'MemoryJobStore',
        'RateLimitError',
        'RequestValidationError',
        'SIGNATURE_HEADER',
        'ServiceBusyError',
        'ServiceClosingError',
        'ServiceError',
        'SqliteJobStore',
        'TERMINAL_STATUSES',
        'TokenBucketLimiter',
        'UnknownJobError',
        'UnsupportedMediaTypeError',
        'WebhookTargetError',
        'WebhookTargetPolicy',
        'afterNotFound',
        'buildService',
        'checkDiscord',
        'forbiddenAddressReason',
        'isRateLimitError',
        'isServiceError',
        'midjourneyProbe',
        'planRecovery',
        'signWebhook',
        'startService',
        'verifyWebhookSignature',
      ].sort(),
    );
  });

  it('types its public surface', () => {
    expectTypeOf(service.buildService).parameter(0).toEqualTypeOf<ServiceOptions>();
    expectTypeOf(service.buildService).returns.resolves.toEqualTypeOf<Service>();
    expectTypeOf<JobView['status']>().toEqualTypeOf<(typeof service.JOB_STATUSES)[number]>();
    expectTypeOf<ProxyTask['status']>().toEqualTypeOf<
      'NOT_START' | 'SUBMITTED' | 'IN_PROGRESS' | 'FAILURE' | 'SUCCESS'
    >();
    expectTypeOf(new service.RateLimitError(1_000, 'requests').retryAfter).toEqualTypeOf<number>();
    expectTypeOf(service.verifyWebhookSignature).returns.toEqualTypeOf<boolean>();
    expectTypeOf<JobStore['claim']>().returns.resolves.toEqualTypeOf<JobClaim | null>();
    expectTypeOf<JobStore['saveClaimed']>().parameters.toEqualTypeOf<[JobRecord, JobClaim]>();
    expectTypeOf<
      JobStore['reserveIdempotencyKey']
    >().returns.resolves.toEqualTypeOf<IdempotencyReserveResult>();
    const error = new service.RateLimitError(1_500, 'requests');
    expect(error).toMatchObject({
      name: 'RateLimitError',
      code: 'RATE_LIMIT_EXCEEDED',
      status: 429,
      retryable: true,
    });
    expect(service.isRateLimitError(error)).toBe(true);
  });
});
